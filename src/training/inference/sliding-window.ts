// Sliding-window inference with MONAI's semantics (sliding_window_inference): the volume is
// padded up to the ROI where smaller, covered by overlapping windows run in batches, and the
// predictions blended with importance weights; the result has the input's spatial size.
import { cat, noGrad, pad, type Tensor, tidy, zeros } from "../../engine/index.js";
import { type BlendMode, importanceMap } from "./importance-map.js";
import { scanInterval, windowStarts } from "./window-grid.js";

/** A sliding window's size in voxels (i, j, k). */
export type RoiSize = [number, number, number];

export interface SlidingWindowOptions {
  roiSize: RoiSize;
  /** Windows per predictor call. */
  swBatchSize?: number;
  overlap?: number;
  mode?: BlendMode;
  sigmaScale?: number;
  /** Value used to pad a volume smaller than the ROI. */
  padValue?: number;
  /** Called after each batch of windows with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * input [N, C, D, H, W]; predictor maps [B, C, roi] to [B, K, roi] (logits or probabilities).
 * Returns the blended [N, K, D, H, W]. Runs without autograd.
 */
export function slidingWindowInference(
  input: Tensor,
  predictor: (windows: Tensor) => Tensor,
  o: SlidingWindowOptions,
): Tensor {
  if (input.ndim !== 5)
    throw new Error(`slidingWindowInference: input must be [N, C, D, H, W], got [${input.shape}]`);
  const roi = o.roiSize;
  if (roi.some((r) => !(Number.isInteger(r) && r > 0)))
    throw new Error(`slidingWindowInference: bad roiSize [${roi}]`);
  const swBatch = o.swBatchSize ?? 1;
  const overlap = o.overlap ?? 0.25;
  return noGrad(() =>
    tidy(() => {
      const spatial = input.shape.slice(2);
      // Symmetric padding where the volume is smaller than the ROI (F.pad order: last axis first).
      const padBefore = spatial.map((s, i) => Math.floor(Math.max(roi[i]! - s, 0) / 2));
      const padAfter = spatial.map((s, i) => Math.max(roi[i]! - s, 0) - padBefore[i]!);
      const needsPad = padBefore.some((p) => p > 0) || padAfter.some((p) => p > 0);
      const x = needsPad
        ? pad(
            input,
            [padBefore[2]!, padAfter[2]!, padBefore[1]!, padAfter[1]!, padBefore[0]!, padAfter[0]!],
            "constant",
            o.padValue ?? 0,
          )
        : input;
      const size = x.shape.slice(2);
      const starts = windowStarts(size, roi, scanInterval(size, roi, overlap));
      const weights = importanceMap(roi, o.mode ?? "constant", o.sigmaScale ?? 0.125).to({
        dtype: x.dtype,
        device: x.device,
      });
      const n = x.shape[0]!;
      let out: Tensor | null = null;
      const count = zeros([1, 1, ...size], { dtype: x.dtype, device: x.device });
      const w5 = weights.reshape([1, 1, ...roi]);
      for (const s of starts) {
        tidy(() => {
          count.narrow(2, s[0]!, roi[0]).narrow(3, s[1]!, roi[1]).narrow(4, s[2]!, roi[2]).add_(w5);
        });
      }
      const total = starts.length * n;
      let done = 0;
      for (let b = 0; b < n; b++) {
        const item = x.narrow(0, b, 1);
        for (let i = 0; i < starts.length; i += swBatch) {
          const batch = starts.slice(i, i + swBatch);
          const weighted = tidy(() => {
            const windows = cat(
              batch.map((s) =>
                item.narrow(2, s[0]!, roi[0]).narrow(3, s[1]!, roi[1]).narrow(4, s[2]!, roi[2]),
              ),
              0,
            );
            const pred = predictor(windows);
            if (
              pred.ndim !== 5 ||
              pred.shape[0] !== batch.length ||
              pred.shape.slice(2).some((d, k) => d !== roi[k])
            ) {
              throw new Error(
                `slidingWindowInference: predictor returned [${pred.shape}] for windows [${windows.shape}]`,
              );
            }
            return pred.mul(w5);
          });
          // The accumulator is sized by the first prediction (the predictor decides the channels).
          out ??= zeros([n, weighted.shape[1]!, ...size], { dtype: weighted.dtype, device: weighted.device });
          const acc = out;
          tidy(() => {
            batch.forEach((s, k) => {
              acc
                .narrow(0, b, 1)
                .narrow(2, s[0]!, roi[0])
                .narrow(3, s[1]!, roi[1])
                .narrow(4, s[2]!, roi[2])
                .add_(weighted.narrow(0, k, 1));
            });
          });
          weighted.dispose();
          done += batch.length;
          o.onProgress?.(done, total);
        }
      }
      if (out === null) throw new Error("slidingWindowInference: no windows (empty input?)");
      let result = (out as Tensor).div(count);
      if (needsPad) {
        result = result
          .narrow(2, padBefore[0]!, spatial[0]!)
          .narrow(3, padBefore[1]!, spatial[1]!)
          .narrow(4, padBefore[2]!, spatial[2]!)
          .contiguous();
      }
      return result;
    }),
  );
}
