// Whole-volume prediction with every head of a multi-head model: sliding-window logits, softmax
// per head, fused into one organ label map on the input grid.
import { cat, noGrad, softmax, type Tensor, tidy } from "../../engine/index.js";
import type { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import { fuseHeads } from "./fuse-heads.js";
import { type SlidingWindowOptions, slidingWindowInference } from "./sliding-window.js";

interface HeadOrgans {
  task: string;
  /** Label value of each organ channel of this head. */
  organIndices: number[];
}

interface VolumePrediction {
  /** Organ-index label map [D, H, W] (uint8). */
  labels: Tensor;
  /** Softmax probabilities per head [1, C, D, H, W]. */
  probabilities: Map<string, Tensor>;
}

/** image: [1, 1, D, H, W] preprocessed intensities. */
export function predictVolume(
  model: MultiHeadUNet,
  heads: readonly HeadOrgans[],
  image: Tensor,
  sw: SlidingWindowOptions,
  threshold = 0.5,
  /** Where the model runs: windows go there and logits come back, so blending stays on the CPU. */
  device = "cpu",
): VolumePrediction {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        // All heads share one pass through the body per window: their logits are concatenated
        // along channels and split again after blending.
        const widths = heads.map((h) => h.organIndices.length + 1);
        const blended = slidingWindowInference(
          image,
          (windows) =>
            tidy(() => {
              const out = model.forwardAll(device === "cpu" ? windows : windows.to({ device }));
              const logits = cat(
                heads.map((h) => out.get(h.task)!),
                1,
              );
              return device === "cpu" ? logits : logits.to({ device: "cpu" });
            }),
          sw,
        );
        const probabilities = new Map<string, Tensor>();
        let offset = 0;
        heads.forEach((h, i) => {
          probabilities.set(h.task, softmax(blended.narrow(1, offset, widths[i]!), 1));
          offset += widths[i]!;
        });
        const labels = fuseHeads(
          heads.map((h) => ({ probs: probabilities.get(h.task)!, organIndices: h.organIndices })),
          threshold,
        );
        return { labels, probabilities };
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}
