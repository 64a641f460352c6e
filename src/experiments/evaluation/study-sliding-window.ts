// The study's sliding-window settings (inference.roi is (i, j, k); the engine's windows are
// [k, j, i]), Gaussian blending as MONAI's sliding_window_inference: one place for every whole-
// volume prediction of a study (the external test, threshold calibration).
import type { SlidingWindowOptions } from "../../training/inference/sliding-window.js";
import type { ExperimentConfig } from "../config/experiment-config.js";

export function studySlidingWindow(exp: ExperimentConfig): SlidingWindowOptions {
  const [i, j, k] = exp.inference.roi;
  return {
    roiSize: [k, j, i],
    overlap: exp.inference.overlap,
    swBatchSize: exp.inference.swBatchSize,
    mode: "gaussian",
  };
}
