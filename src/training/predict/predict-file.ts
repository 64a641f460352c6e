// Predicts one NIfTI image with one checkpoint: preprocessing as in training (without the crop),
// sliding-window inference with every head, fusion to one organ label map, and that map resampled
// back onto the input's own grid (same shape and affine as the input, whatever its orientation).
import { readNifti } from "../../data/nifti/index.js";
import type { Volume } from "../../data/volume.js";
import type { Predictor } from "./load-predictor.js";
import { disposeOutputs, ensembleOutputs, fusedLabels } from "./predict-ensemble.js";

interface PredictOptions {
  swBatchSize?: number;
  /** Overrides the checkpoint's ROI (i, j, k). */
  roi?: [number, number, number];
  onProgress?: (done: number, total: number) => void;
}

/**
 * Label map (organ indices, uint8) on the grid of the image at `path`: the checkpoint as an
 * ensemble of one (predict-ensemble.ts), its heads fused by the "max" rule at 0.5.
 */
export async function predictFile(p: Predictor, path: string, o: PredictOptions = {}): Promise<Volume> {
  const image = await readNifti(path, { require3D: true, scaled: true, floatDtype: "float32" });
  const roi = o.roi ?? p.roi;
  const outputs = ensembleOutputs([{ predictor: p }], image, path, {
    slidingWindow: {
      roiSize: [roi[2], roi[1], roi[0]],
      overlap: p.overlap,
      swBatchSize: o.swBatchSize ?? 4,
      mode: "gaussian",
      onProgress: o.onProgress,
    },
    threshold: 0.5,
    device: "cpu",
  });
  try {
    return fusedLabels(outputs, "max", 0.5, image);
  } finally {
    disposeOutputs(outputs);
  }
}
