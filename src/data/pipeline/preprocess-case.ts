// Load and preprocess one case (image and optional label): orientation, spacing, window, foreground
// crop, padding, as MONAI's LoadImaged -> Orientationd -> Spacingd -> ScaleIntensityRanged ->
// CropForegroundd -> SpatialPadd. The result is plain Volumes, ready for the cache and for workers.

import { tidy } from "../../engine/index.js";
import { applyLabelMap, type LabelMap } from "../datasets/label-map.js";
import { DataError } from "../errors.js";
import { assertSameGeometry, readNifti } from "../nifti/index.js";
import { cropForeground } from "../transforms/crop-foreground.js";
import { orientation } from "../transforms/orientation.js";
import { clipIntensity, scaleIntensityRange } from "../transforms/scale-intensity-range.js";
import { spacing } from "../transforms/spacing.js";
import { spatialPad } from "../transforms/spatial-pad.js";
import { fromVolume, toVolume } from "../transforms/spatial-tensor.js";
import { applyTransform, compose, type Sample, type Transform } from "../transforms/transform.js";
import type { Volume } from "../volume.js";
import { checkPreprocessSettings, type PreprocessSettings } from "./preprocess-settings.js";

export interface CasePaths {
  image: string;
  label?: string;
}

/** Maps raw label ids to organ indices before preprocessing (part of the cache key when given). */
interface LabelMapping {
  labelMap?: LabelMap;
}

type PreprocessedCase = Record<string, Volume>;

function preprocessTransform(s: PreprocessSettings, withLabel: boolean): Transform {
  const keys = withLabel ? ["image", "label"] : ["image"];
  // The window's linear map runs before resampling, on the smaller input grid, and only its clipping
  // after: trilinear weights sum to one, so interpolation commutes with a linear map and the result
  // equals windowing after resampling (up to float rounding) for a third of the work.
  const steps: Transform[] = [
    orientation({ keys, axcodes: s.axcodes }),
    scaleIntensityRange({ keys: ["image"], aMin: s.window.aMin, aMax: s.window.aMax, clip: false }),
    spacing({ keys, pixdim: s.pixdim, mode: withLabel ? ["trilinear", "nearest"] : "trilinear" }),
    clipIntensity({ keys: ["image"], min: 0, max: 1 }),
  ];
  if (s.cropForeground !== null) {
    steps.push(cropForeground({ keys, sourceKey: "image", ...s.cropForeground }));
  }
  if (s.minSize !== null) steps.push(spatialPad({ keys, spatialSize: s.minSize }));
  return compose(steps);
}

function labelAsUint8(v: Volume, path: string): Volume {
  if (v.dtype === "uint8") return v;
  const out = new Uint8Array(v.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = Number(v.data[i]);
    if (!(x >= 0 && x <= 255 && Number.isInteger(x))) {
      throw new DataError(path, `label value ${x} at voxel ${i} is not an integer in 0..255`);
    }
    out[i] = x;
  }
  return { ...v, dtype: "uint8", data: out };
}

/** Reads the files and runs the preprocessing; errors name the file they are about. */
export async function preprocessCase(
  paths: CasePaths,
  s: PreprocessSettings,
  mapping: LabelMapping = {},
): Promise<PreprocessedCase> {
  checkPreprocessSettings(s);
  const image = await readNifti(paths.image, { require3D: true, scaled: true, floatDtype: "float32" });
  let label: Volume | undefined;
  if (paths.label !== undefined) {
    const raw = await readNifti(paths.label, { require3D: true });
    label = mapping.labelMap
      ? { ...raw, dtype: "uint8", data: applyLabelMap(raw.data, mapping.labelMap, paths.label) }
      : labelAsUint8(raw, paths.label);
  }
  if (label !== undefined && paths.label !== undefined)
    assertSameGeometry(paths.image, image, paths.label, label, 1e-2);
  return preprocessVolumes(image, label, s, paths.image);
}

/** The preprocessing on volumes already in memory; `name` is used in errors. */
export function preprocessVolumes(
  image: Volume,
  label: Volume | undefined,
  s: PreprocessSettings,
  name = "volume",
): PreprocessedCase {
  return tidy(() => {
    const sample: Sample = { image: fromVolume(image, "float32", name) };
    if (label !== undefined) sample.label = fromVolume(label, "uint8", name);
    let out: Sample;
    try {
      [out] = applyTransform(preprocessTransform(s, label !== undefined), sample, 0);
    } catch (e) {
      throw new DataError(name, `preprocessing failed: ${(e as Error).message}`, { cause: e });
    }
    const result: PreprocessedCase = {};
    for (const [key, item] of Object.entries(out)) result[key] = toVolume(item);
    return result;
  });
}
