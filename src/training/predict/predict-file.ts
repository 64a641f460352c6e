// Predicts one NIfTI image: preprocessing as each model was trained (without the crop),
// sliding-window inference with every head, fusion to one organ label map, and that map (and, if
// asked, each organ's probability) brought back onto the input's own grid (same shape and affine
// as the input, whatever its orientation). One checkpoint is an ensemble of one.
import { readNifti } from "../../data/nifti/index.js";
import type { Volume } from "../../data/volume.js";
import type { FusionRule } from "../inference/fuse-heads.js";
import type { Predictor } from "./load-predictor.js";
import {
  disposeOutputs,
  type EnsembleMember,
  type EnsembleSettings,
  ensembleOutputs,
  fusedLabels,
  organProbabilities,
} from "./predict-ensemble.js";

interface PredictOptions {
  swBatchSize?: number;
  /** Overrides the checkpoint's ROI (i, j, k). */
  roi?: [number, number, number];
  onProgress?: (done: number, total: number) => void;
}

/** One model's settings: its training patch (or `roi`), its overlap, Gaussian blending, 0.5. */
export function singleModelSettings(p: Predictor, o: PredictOptions = {}): EnsembleSettings {
  const [i, j, k] = o.roi ?? p.roi;
  return {
    slidingWindow: {
      roiSize: [k, j, i],
      overlap: p.overlap,
      swBatchSize: o.swBatchSize ?? 4,
      mode: "gaussian",
      onProgress: o.onProgress,
    },
    threshold: 0.5,
    device: "cpu",
  };
}

export interface ImagePrediction {
  /** Organ indices (uint8) on the image's grid. */
  labels: Volume;
  /** Each organ's probability on the image's grid, by organ index, when asked for. */
  probabilities?: Map<number, Volume>;
}

export async function predictImage(
  members: readonly EnsembleMember[],
  settings: EnsembleSettings,
  rule: FusionRule,
  path: string,
  o: { probabilities?: boolean } = {},
): Promise<ImagePrediction> {
  const image = await readNifti(path, { require3D: true, scaled: true, floatDtype: "float32" });
  const outputs = ensembleOutputs(members, image, path, settings);
  try {
    return {
      labels: fusedLabels(outputs, rule, settings.threshold, image),
      ...(o.probabilities === true && { probabilities: organProbabilities(outputs, image) }),
    };
  } finally {
    disposeOutputs(outputs);
  }
}

/** Label map (organ indices, uint8) of one checkpoint on the grid of the image at `path`. */
export async function predictFile(p: Predictor, path: string, o: PredictOptions = {}): Promise<Volume> {
  return (await predictImage([{ predictor: p }], singleModelSettings(p, o), "max", path)).labels;
}
