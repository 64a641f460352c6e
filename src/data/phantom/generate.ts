// generatePhantom: one synthetic abdominal CT with its organ labels, fully determined by the seed,
// the scanner style and the output size.

import type { Volume } from "../volume.js";
import { type Anatomy, buildAnatomy, paintAnatomy } from "./anatomy/index.js";
import { flipToLps, gridForFieldOfView, toWorldVolume, type VoxelGrid } from "./grid.js";
import { mapVoxels, organOfTissue, tissueLookup } from "./labels.js";
import type { PaintCount } from "./paint.js";
import { drawPatient, type PatientParams } from "./patient.js";
import { SeededRandom } from "./prng.js";
import { scanImage, tissueHu } from "./scanner.js";
import {
  DEFAULT_SCANNER_STYLE,
  type PhantomSize,
  type ScannerStyle,
  styleAtSize,
  validateStyle,
} from "./styles.js";

interface PhantomOptions {
  /** Any finite number; the same seed, style and size give byte-identical volumes. */
  seed: number;
  /** Scanner style; unspecified fields come from DEFAULT_SCANNER_STYLE. Spacing is at size "large". */
  style?: Partial<ScannerStyle>;
  /** Output resolution (default "demo"): coarsens the style's spacing; the patient stays the same. */
  size?: PhantomSize;
}

export interface Phantom {
  /** CT image, int16 stored values (HU after the style's gain and offset). */
  image: Volume;
  /** Organ ids (PHANTOM_ORGAN_LABELS), uint8. */
  labels: Volume;
  /** Tissue classes (Tissue), uint8: finer than labels, e.g. kidney side and cortex/medulla. */
  tissue: Volume;
  seed: number;
  /** The style actually used (defaults filled in, spacing at the chosen size). */
  style: ScannerStyle;
  patient: PatientParams;
  /** The anatomy-frame (LAS) grid and the anatomy painted on it (shapes, layers), for inspection and tests. */
  grid: VoxelGrid;
  anatomy: Anatomy;
  /** Voxels covered and painted per anatomy layer. */
  paintCounts: Record<string, PaintCount>;
}

const organLookup = tissueLookup(organOfTissue);

/** Fills in defaults, applies the size and checks the result. */
function resolveStyle(style: Partial<ScannerStyle> | undefined, size: PhantomSize = "demo"): ScannerStyle {
  const resolved = styleAtSize({ ...DEFAULT_SCANNER_STYLE, ...style }, size);
  validateStyle(resolved);
  return resolved;
}

export function generatePhantom(opts: PhantomOptions): Phantom {
  const style = resolveStyle(opts.style, opts.size);
  const rng = new SeededRandom(opts.seed);
  const patient = drawPatient(rng.fork("patient"), style);
  const grid = gridForFieldOfView({
    fovMm: style.fovMm,
    slabMm: style.slabMm,
    inPlaneSpacingMm: style.inPlaneSpacingMm,
    sliceSpacingMm: style.sliceSpacingMm,
    // The style gives the centre in RAS; the grid is painted in the anatomy frame (x mirrored).
    center: [-style.fovCenterMm[0], style.fovCenterMm[1], style.fovCenterMm[2]],
  });
  const zMin = grid.origin[2] - grid.spacing[2];
  const zMax = grid.origin[2] + grid.shape[2] * grid.spacing[2];
  const anatomy = buildAnatomy(rng.fork("anatomy"), patient, { zMin, zMax, table: style.table });
  const { tissue, counts } = paintAnatomy(anatomy, grid);
  const scanner = rng.fork("scanner");
  const image = scanImage(tissueHu(tissue, grid, style, patient, scanner), grid, style, patient, scanner);

  const volume = (dtype: Volume["dtype"], data: Volume["data"]): Volume => {
    const v = toWorldVolume(grid, dtype, data, [0, 0, style.tablePositionMm]);
    return style.orientation === "LPS" ? flipToLps(v) : v;
  };
  return {
    image: volume("int16", image),
    labels: volume("uint8", mapVoxels(tissue, organLookup)),
    tissue: volume("uint8", tissue),
    seed: opts.seed,
    style,
    patient,
    grid,
    anatomy,
    paintCounts: counts,
  };
}
