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

/** A model and the heads of it to run. */
export interface ModelHeads {
  model: MultiHeadUNet;
  heads: readonly HeadOrgans[];
}

/**
 * Softmax probabilities [1, C, D, H, W] of every member's heads, per member by task, where the
 * members' bodies are byte-identical (the caller checks: bodyDigest): the first member's body
 * runs once per window and every head of every member reads its features. Each channel is
 * blended on its own, so the result is what each member alone would give.
 */
export function predictSharedBody(
  members: readonly ModelHeads[],
  image: Tensor,
  sw: SlidingWindowOptions,
  device = "cpu",
): Map<string, Tensor>[] {
  const body = members[0]!.model;
  const states = members.map((m) => m.model.training);
  for (const m of members) m.model.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const blended = slidingWindowInference(
          image,
          (windows) =>
            tidy(() => {
              const features = body.body.forward(device === "cpu" ? windows : windows.to({ device }));
              const logits = cat(
                members.flatMap((m) => m.heads.map((h) => m.model.head(h.task).forward(features))),
                1,
              );
              return device === "cpu" ? logits : logits.to({ device: "cpu" });
            }),
          sw,
        );
        let offset = 0;
        return members.map((m) => {
          const probabilities = new Map<string, Tensor>();
          for (const h of m.heads) {
            const width = h.organIndices.length + 1;
            probabilities.set(h.task, softmax(blended.narrow(1, offset, width), 1));
            offset += width;
          }
          return probabilities;
        });
      }),
    );
  } finally {
    for (const [i, m] of members.entries()) m.model.train(states[i]!);
  }
}

/** image: [1, 1, D, H, W] preprocessed intensities. All heads share one pass through the body per window. */
export function predictVolume(
  model: MultiHeadUNet,
  heads: readonly HeadOrgans[],
  image: Tensor,
  sw: SlidingWindowOptions,
  threshold = 0.5,
  /** Where the model runs: windows go there and logits come back, so blending stays on the CPU. */
  device = "cpu",
): VolumePrediction {
  const probabilities = predictSharedBody([{ model, heads }], image, sw, device)[0]!;
  const labels = tidy(() =>
    fuseHeads(
      heads.map((h) => ({ probs: probabilities.get(h.task)!, organIndices: h.organIndices })),
      threshold,
    ),
  );
  return { labels, probabilities };
}
