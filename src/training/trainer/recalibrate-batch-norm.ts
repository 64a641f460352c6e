// BatchNorm statistics recomputed for the final weights ("precise BatchNorm", Wu & Johnson,
// "Rethinking 'Batch' in BatchNorm", 2021). During training the running statistics are an
// exponential average (momentum 0.1) of the last few batches, measured while the weights were
// still moving fast and on positive/negative-balanced crops, but inference runs on whole volumes:
// where the two disagree the eval-mode network is shifted, and a model whose training loss is low
// labels most of the body as its organ (the demo's failed seeds). Here the statistics are reset
// and accumulated as a plain average (PyTorch's momentum=None) over every window of the given
// volumes with the final weights, without gradients; nothing else changes.
import { cat, noGrad, type Tensor, Tensor as TensorClass, tidy } from "../../engine/index.js";
import { BatchNorm3d } from "../../nn/layers/norm.js";
import type { Module } from "../../nn/module.js";
import { scanInterval, windowStarts } from "../inference/window-grid.js";

export interface RecalibrationVolume {
  /** Preprocessed intensities, row-major [k, j, i]. */
  image: Float32Array;
  shape: [number, number, number];
}

/** BatchNorm layers of a model (those that track running statistics). */
function batchNorms(model: Module): BatchNorm3d[] {
  return model
    .namedModules()
    .map(([, m]) => m)
    .filter((m): m is BatchNorm3d => m instanceof BatchNorm3d && m.runningMean !== null);
}

/**
 * Recomputes every BatchNorm's running statistics over the non-overlapping windows (size `window`,
 * [k, j, i], the last one shifted back to the border) of `volumes`, `batch` windows per forward
 * pass through `forward`. Returns the number of windows seen; the model is left in eval mode.
 */
export function recalibrateBatchNorm(
  model: Module,
  forward: (x: Tensor) => unknown,
  volumes: readonly RecalibrationVolume[],
  window: [number, number, number],
  batch = 4,
): number {
  const norms = batchNorms(model);
  if (norms.length === 0) return 0;
  const momenta = norms.map((n) => n.momentum);
  for (const n of norms) {
    n.resetRunningStats();
    n.momentum = null;
  }
  let windows = 0;
  try {
    model.train();
    let pending: Tensor[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const group = pending;
      pending = [];
      tidy(() => noGrad(() => void forward(cat(group, 0))));
      for (const t of group) t.dispose();
    };
    for (const v of volumes) {
      if (v.shape.some((s, d) => s < window[d]!))
        throw new Error(`recalibrateBatchNorm: volume [${v.shape}] is smaller than the window [${window}]`);
      const starts = windowStarts(v.shape, window, scanInterval(v.shape, window, 0));
      const image = TensorClass.fromArray(v.image, [1, 1, ...v.shape]);
      try {
        for (const [a, b, c] of starts) {
          pending.push(
            tidy(() =>
              image.narrow(2, a!, window[0]).narrow(3, b!, window[1]).narrow(4, c!, window[2]).contiguous(),
            ),
          );
          windows++;
          if (pending.length === batch) flush();
        }
      } finally {
        image.dispose();
      }
    }
    flush();
  } finally {
    norms.forEach((n, i) => {
      n.momentum = momenta[i]!;
    });
    model.eval();
  }
  return windows;
}
