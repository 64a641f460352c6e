// Argmax over channels mapped to label values: [1, C, D, H, W] scores -> [D, H, W] uint8 labels.
import { index, Tensor, tidy } from "../../engine/index.js";

export function argmaxLabels(scores: Tensor, labelOfChannel: readonly number[]): Tensor {
  return tidy(() => {
    if (scores.shape[1] !== labelOfChannel.length) {
      throw new Error(`argmaxLabels: ${scores.shape[1]} channels but ${labelOfChannel.length} labels`);
    }
    const idx = scores.argmax(1).squeeze(0);
    const lut = Tensor.fromArray(Uint8Array.from(labelOfChannel), [labelOfChannel.length]);
    return index(lut, [idx]);
  });
}
