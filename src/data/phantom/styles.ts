// Scanner styles: what differs between hospitals' CT protocols (calibration, noise, contrast
// phase, voxel spacing, slice thickness, field of view, population, file orientation). Giving each
// federated site its own style is what makes the phantom sites non-i.i.d.

import type { Vec3 } from "./geometry.js";

export type ContrastPhase = "none" | "arterial" | "portal-venous";

export interface ScannerStyle {
  name: string;
  /** Contrast timing: changes the HU of vessels and enhancing organs. */
  phase: ContrastPhase;
  /** Calibration: stored = gain * HU + offsetHu (a mis-calibrated or differently scaled scanner). */
  gain: number;
  offsetHu: number;
  /** Standard deviation of the quantum noise, HU. */
  noiseStdHu: number;
  /** Grain size of the noise (in-plane correlation, Gaussian sigma in mm; 0 = white). */
  noiseGrainMm: number;
  /** In-plane blur of the reconstruction kernel (Gaussian sigma, mm): soft vs sharp kernels. */
  kernelBlurMm: number;
  inPlaneSpacingMm: number;
  sliceSpacingMm: number;
  /** Reconstructed slice thickness (>= spacing means overlapping, blurrier slices). */
  sliceThicknessMm: number;
  /** Square in-plane field of view, mm: smaller crops the body's sides. */
  fovMm: number;
  /** Cranio-caudal coverage, mm. */
  slabMm: number;
  /** Centre of the field of view relative to the patient's abdomen centre, mm (RAS). */
  fovCenterMm: Vec3;
  /** Population: patient linear size ~ N(mean, std) (1 = average adult). */
  patientScaleMean: number;
  patientScaleStd: number;
  /** Population: subcutaneous fat thickness ~ N(mean, std), mm. */
  fatMeanMm: number;
  fatStdMm: number;
  /** Voxel order of the written file: RAS (i -> left) or LPS (i -> right, j -> posterior). */
  orientation: "RAS" | "LPS";
  /** Value outside the scanner's circular reconstruction field (e.g. -2048), or null for none. */
  outsideFovHu: number | null;
  /** Whether the patient table appears below the body. */
  table: boolean;
  /** Scanner z of the anatomy origin (table position), mm: makes affine origins look real. */
  tablePositionMm: number;
}

/** Spacing multipliers per output size, applied to a style's (full resolution) spacing. */
export type PhantomSize = "tiny" | "demo" | "large";

export const PHANTOM_SIZES: Record<PhantomSize, { inPlaneFactor: number; sliceFactor: number }> = {
  // ~50 x 50 x 25 voxels: fast enough for unit tests.
  tiny: { inPlaneFactor: 5, sliceFactor: 4 },
  // ~100 x 100 x 50 voxels at ~3.75 x 3.75 x 4-5 mm: a demo federation on two CPU cores.
  demo: { inPlaneFactor: 2.5, sliceFactor: 2 },
  // ~256 x 256 x 100: the style's own spacing.
  large: { inPlaneFactor: 1, sliceFactor: 1 },
};

/** A typical contrast-enhanced abdominal CT at 1.5 x 1.5 x 2 mm (the study's target spacing). */
export const DEFAULT_SCANNER_STYLE: ScannerStyle = {
  name: "default",
  phase: "portal-venous",
  gain: 1,
  offsetHu: 0,
  noiseStdHu: 12,
  noiseGrainMm: 0.8,
  kernelBlurMm: 0.6,
  inPlaneSpacingMm: 1.5,
  sliceSpacingMm: 2,
  sliceThicknessMm: 2,
  fovMm: 384,
  slabMm: 200,
  fovCenterMm: [0, 0, 0],
  patientScaleMean: 1,
  patientScaleStd: 0.06,
  fatMeanMm: 22,
  fatStdMm: 7,
  orientation: "RAS",
  outsideFovHu: null,
  table: true,
  tablePositionMm: -400,
};

/** The style with its spacing, slice thickness and blur widths coarsened for an output size. */
export function styleAtSize(style: ScannerStyle, size: PhantomSize): ScannerStyle {
  const f = PHANTOM_SIZES[size];
  if (!f) throw new RangeError(`unknown phantom size "${size}" (tiny, demo, large)`);
  return {
    ...style,
    inPlaneSpacingMm: style.inPlaneSpacingMm * f.inPlaneFactor,
    sliceSpacingMm: style.sliceSpacingMm * f.sliceFactor,
    sliceThicknessMm: style.sliceThicknessMm * f.sliceFactor,
  };
}

/** Checks a style for values that would make no image (or a meaningless one). */
export function validateStyle(style: ScannerStyle): void {
  const positive: (keyof ScannerStyle)[] = [
    "gain",
    "inPlaneSpacingMm",
    "sliceSpacingMm",
    "sliceThicknessMm",
    "fovMm",
    "slabMm",
    "patientScaleMean",
  ];
  for (const key of positive) {
    const v = style[key];
    if (typeof v !== "number" || !(v > 0))
      throw new RangeError(`scanner style "${style.name}": ${key} must be > 0`);
  }
  for (const key of ["noiseStdHu", "noiseGrainMm", "kernelBlurMm", "patientScaleStd", "fatStdMm"] as const) {
    if (!(style[key] >= 0)) throw new RangeError(`scanner style "${style.name}": ${key} must be >= 0`);
  }
  if (!["none", "arterial", "portal-venous"].includes(style.phase)) {
    throw new RangeError(`scanner style "${style.name}": unknown contrast phase "${style.phase}"`);
  }
  if (style.orientation !== "RAS" && style.orientation !== "LPS") {
    throw new RangeError(`scanner style "${style.name}": orientation must be RAS or LPS`);
  }
}
