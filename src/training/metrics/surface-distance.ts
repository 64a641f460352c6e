// Surface distances between a predicted and a true organ, in millimetres, following MONAI's
// compute_hausdorff_distance(percentile=95) and compute_average_surface_distance(symmetric=True):
// - surfaces are the mask minus its 6-connected erosion (see mask-surface.ts);
// - each surface voxel of one mask gets its exact Euclidean distance, with the voxel spacing, to the
//   nearest surface voxel of the other (see distance-transform.ts);
// - HD95 = max of the two directed 95th percentiles (numpy.percentile, linear interpolation);
// - ASSD = mean of all distances of both directions pooled together.
//
// Empty rules (SURFACE_DISTANCE_EMPTY_RULES): "segviz" (the default): when the prediction or the
// truth has no voxel of the organ, there is no surface to measure from or to, so HD95 and ASSD
// are NaN ("not applicable", excluded from means and counted as n_empty); an empty prediction
// against a present organ is thus visible in Dice (0), not in the distances. "monai" (MONAI's
// HausdorffDistanceMetric and SurfaceDistanceMetric): exactly one of them empty -> Infinity
// (so any mean over cases is Infinity), both empty -> NaN.

import { squaredDistancesAt } from "./distance-transform.js";
import { checkShape, checkSpacing, checkVoxelCount, type Shape3, type Spacing3 } from "./grid.js";
import { maskSurface } from "./mask-surface.js";
import { cropOrganMasks } from "./organ-crop.js";
import { checkOrganId, type LabelVoxels } from "./organ-mask.js";
import { percentileLinear } from "./percentile.js";

export type SurfaceEmptyRule = "segviz" | "monai";
export const SURFACE_EMPTY_RULE_NAMES: readonly SurfaceEmptyRule[] = ["segviz", "monai"];

export const SURFACE_DISTANCE_EMPTY_RULES: Readonly<Record<SurfaceEmptyRule, string>> = {
  segviz:
    "HD95 and ASSD: prediction or truth empty for the organ -> NaN (not applicable; excluded from means, " +
    "counted as n_empty).",
  monai:
    "HD95 and ASSD (MONAI's convention): exactly one of prediction and truth empty -> Infinity; both empty -> " +
    "NaN (excluded from means, counted as n_empty).",
};

/** The default rule's text. */
export const SURFACE_DISTANCE_EMPTY_RULE = SURFACE_DISTANCE_EMPTY_RULES.segviz;

interface DirectedSurfaceDistances {
  /** From each surface voxel of the prediction to the nearest truth surface voxel, mm. */
  predToTruth: Float64Array;
  /** From each surface voxel of the truth to the nearest prediction surface voxel, mm. */
  truthToPred: Float64Array;
}

interface SurfaceDistanceMetrics {
  /** 95th-percentile symmetric Hausdorff distance, mm; NaN under the empty rule. */
  hd95Mm: number;
  /** Average symmetric surface distance, mm; NaN under the empty rule. */
  assdMm: number;
}

/**
 * The organ's masks cropped to their joint bounding box (null when both are empty), after the
 * argument checks every surface metric shares.
 */
function croppedMasks(
  pred: LabelVoxels,
  truth: LabelVoxels,
  shape: Shape3,
  spacing: Spacing3,
  organId: number,
): ReturnType<typeof cropOrganMasks> {
  checkShape(shape);
  checkSpacing(spacing);
  checkOrganId(organId);
  checkVoxelCount(pred, shape, "pred");
  checkVoxelCount(truth, shape, "truth");
  return cropOrganMasks(pred, truth, shape, organId);
}

/** Both directed distance sets between the cropped masks; null when either mask is empty. */
function distancesInBox(
  box: ReturnType<typeof cropOrganMasks>,
  spacing: Spacing3,
): DirectedSurfaceDistances | null {
  if (box === null || box.predVoxels === 0 || box.truthVoxels === 0) return null;
  const predSurface = maskSurface(box.pred, box.shape);
  const truthSurface = maskSurface(box.truth, box.shape);
  return {
    predToTruth: sqrtInPlace(squaredDistancesAt(truthSurface, predSurface, box.shape, spacing)),
    truthToPred: sqrtInPlace(squaredDistancesAt(predSurface, truthSurface, box.shape, spacing)),
  };
}

/** Both directed surface distance sets of organ `organId`; null when either mask is empty. */
export function directedSurfaceDistances(
  pred: LabelVoxels,
  truth: LabelVoxels,
  shape: Shape3,
  spacing: Spacing3,
  organId = 1,
): DirectedSurfaceDistances | null {
  return distancesInBox(croppedMasks(pred, truth, shape, spacing, organId), spacing);
}

/** HD95 and ASSD of organ `organId` (default 1, for binary masks), in mm; empty masks by `emptyRule`. */
export function surfaceDistanceMetrics(
  pred: LabelVoxels,
  truth: LabelVoxels,
  shape: Shape3,
  spacing: Spacing3,
  organId = 1,
  emptyRule: SurfaceEmptyRule = "segviz",
): SurfaceDistanceMetrics {
  const box = croppedMasks(pred, truth, shape, spacing, organId);
  const d = distancesInBox(box, spacing);
  if (d === null) {
    // The crop already counted both masks: exactly one empty is MONAI's Infinity.
    const oneEmpty = box !== null && (box.predVoxels === 0) !== (box.truthVoxels === 0);
    const value = emptyRule === "monai" && oneEmpty ? Number.POSITIVE_INFINITY : Number.NaN;
    return { hd95Mm: value, assdMm: value };
  }
  const hd95Mm = Math.max(percentileLinear(d.predToTruth, 95), percentileLinear(d.truthToPred, 95));
  let sum = 0;
  for (const x of d.predToTruth) sum += x;
  for (const x of d.truthToPred) sum += x;
  return { hd95Mm, assdMm: sum / (d.predToTruth.length + d.truthToPred.length) };
}

/** 95th-percentile Hausdorff distance of organ `organId` in mm; NaN when either mask is empty. */
export function hausdorff95(
  pred: LabelVoxels,
  truth: LabelVoxels,
  shape: Shape3,
  spacing: Spacing3,
  organId = 1,
): number {
  return surfaceDistanceMetrics(pred, truth, shape, spacing, organId).hd95Mm;
}

function sqrtInPlace(values: Float64Array): Float64Array {
  for (let v = 0; v < values.length; v++) values[v] = Math.sqrt(values[v]);
  return values;
}
