// Predicts one NIfTI image: preprocessing as in training, sliding-window inference with every
// head, fusion to one organ label map, and that map resampled back onto the input's own grid
// (same shape and affine as the input, whatever its orientation).
import { readNifti, writeNifti } from "../../data/nifti/index.js";
import { preprocessVolumes } from "../../data/pipeline/preprocess-case.js";
import { resampleLabelsToGrid } from "../../data/transforms/resample-labels-to-grid.js";
import type { Volume } from "../../data/volume.js";
import { Tensor, tidy } from "../../engine/index.js";
import { predictVolume } from "../inference/predict-volume.js";
import type { Predictor } from "./load-predictor.js";

interface PredictOptions {
  swBatchSize?: number;
  /** Overrides the checkpoint's ROI (i, j, k). */
  roi?: [number, number, number];
  onProgress?: (done: number, total: number) => void;
}

/** Label map (organ indices, uint8) on the grid of the image at `path`. */
export async function predictFile(p: Predictor, path: string, o: PredictOptions = {}): Promise<Volume> {
  const original = await readNifti(path, { require3D: true, scaled: true, floatDtype: "float32" });
  const pre = preprocessVolumes(original, undefined, p.preprocess, path).image!;
  const [i, j, k] = pre.shape as [number, number, number];
  const roi = o.roi ?? p.roi;
  const labels = tidy(() => {
    const image = Tensor.fromArray(pre.data as Float32Array, [1, 1, k, j, i]);
    const out = predictVolume(p.model, p.heads, image, {
      roiSize: [roi[2], roi[1], roi[0]],
      overlap: p.overlap,
      swBatchSize: o.swBatchSize ?? 4,
      mode: "gaussian",
      onProgress: o.onProgress,
    });
    for (const t of out.probabilities.values()) t.dispose();
    return out.labels.toArray() as Uint8Array;
  });
  const onPreprocessedGrid: Volume = { shape: [i, j, k], dtype: "uint8", data: labels, affine: pre.affine };
  return resampleLabelsToGrid(onPreprocessedGrid, original.shape.slice(0, 3), original.affine);
}

export async function writePrediction(path: string, labels: Volume): Promise<void> {
  await writeNifti(path, labels);
}
