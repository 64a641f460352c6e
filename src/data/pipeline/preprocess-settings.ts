// The deterministic preprocessing of a case, as plain data: it keys the cache and travels to workers.

export interface PreprocessSettings {
  /** Target orientation codes; SegViz: "RAS". */
  axcodes: string;
  /** Target voxel size in mm (i, j, k); SegViz: [1.5, 1.5, 2.0]. */
  pixdim: [number, number, number];
  /** HU window mapped to [0, 1] with clipping; e.g. -175..250. */
  window: { aMin: number; aMax: number };
  /** Crop to the box where the windowed image is > threshold (MONAI: > 0), plus margin; null: no crop. */
  cropForeground: { threshold: number; margin: number } | null;
  /** Pad (symmetric, zeros) up to at least this size, so patches fit; null: no padding. */
  minSize: [number, number, number] | null;
}

export const SEGVIZ_PREPROCESS: PreprocessSettings = {
  axcodes: "RAS",
  pixdim: [1.5, 1.5, 2.0],
  window: { aMin: -175, aMax: 250 },
  cropForeground: { threshold: 0, margin: 0 },
  minSize: null,
};

/** Throws an Error naming the field when settings are malformed (they often come from config files). */
export function checkPreprocessSettings(s: PreprocessSettings): void {
  const bad = (field: string, why: string) => new Error(`preprocess settings: ${field} ${why}`);
  if (typeof s.axcodes !== "string" || s.axcodes.length !== 3)
    throw bad("axcodes", `must be 3 letters, got ${s.axcodes}`);
  if (!Array.isArray(s.pixdim) || s.pixdim.length !== 3 || s.pixdim.some((p) => !(p > 0))) {
    throw bad("pixdim", `must be three positive numbers, got ${JSON.stringify(s.pixdim)}`);
  }
  if (
    !(Number.isFinite(s.window?.aMin) && Number.isFinite(s.window?.aMax) && s.window.aMin < s.window.aMax)
  ) {
    throw bad("window", `must have finite aMin < aMax, got ${JSON.stringify(s.window)}`);
  }
  if (
    s.minSize !== null &&
    (!Array.isArray(s.minSize) || s.minSize.length !== 3 || s.minSize.some((n) => !(n >= 1)))
  ) {
    throw bad("minSize", `must be null or three sizes >= 1, got ${JSON.stringify(s.minSize)}`);
  }
}
