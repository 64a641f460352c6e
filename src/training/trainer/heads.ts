// Which organs each head predicts, and the per-head training targets built from organ-index
// label maps (label value i + 1 = organs[i], 0 = background).
import { type Tensor, tidy, zerosLike } from "../../engine/index.js";
import type { TaskHead } from "../../nn/monai/multi-head-unet.js";

export interface HeadSpec {
  /** Head (task) name in the model. */
  task: string;
  /** Organs this head predicts: one for a binary head (channels background, organ), several for a multi-class head. */
  organs: string[];
}

function headChannels(h: HeadSpec): number {
  return h.organs.length + 1;
}

export function taskHeads(specs: readonly HeadSpec[]): TaskHead[] {
  return specs.map((h) => ({ name: h.task, outChannels: headChannels(h) }));
}

/** Checks organ names against the vocabulary; returns each head's organ indices (1-based label values). */
export function organIndices(h: HeadSpec, vocabulary: readonly string[]): number[] {
  if (h.organs.length === 0) throw new Error(`head '${h.task}': organs must not be empty`);
  return h.organs.map((o) => {
    const i = vocabulary.indexOf(o);
    if (i < 0)
      throw new Error(
        `head '${h.task}': organ '${o}' is not in the label vocabulary [${vocabulary.join(", ")}]`,
      );
    return i + 1;
  });
}

/**
 * Class-index target [B, 1, ...] for one head: k where the label is the head's k-th organ, 0
 * elsewhere. Organs outside the head count as background, as in the SegViz study's central model.
 */
export function headTarget(labels: Tensor, indices: readonly number[]): Tensor {
  return tidy(() => {
    let target = zerosLike(labels).to({ dtype: "float32" });
    indices.forEach((labelValue, k) => {
      target = target.add(
        labels
          .eq(labelValue)
          .to({ dtype: "float32" })
          .mul(k + 1),
      );
    });
    return target;
  });
}
