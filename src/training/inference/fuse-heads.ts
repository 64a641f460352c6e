// Fusion of several heads' probabilities into one organ label map: a voxel takes the organ with
// the highest probability among those above their threshold, else background. A multi-class
// head's background channel competes too, so a single multi-class head reduces to its argmax.

import { cat, full, type Tensor, tidy } from "../../engine/index.js";
import { argmaxLabels } from "./argmax-labels.js";

export interface HeadProbabilities {
  /** Softmax probabilities [1, 1 + organs, D, H, W]; channel 0 is the head's background. */
  probs: Tensor;
  /** Label value (organ index) of each organ channel, in channel order. */
  organIndices: number[];
}

/** Returns an organ-index label map [D, H, W] (uint8). threshold applies to binary heads. */
export function fuseHeads(heads: readonly HeadProbabilities[], threshold = 0.5): Tensor {
  return tidy(() => {
    const candidates: Tensor[] = [];
    const labelOf: number[] = [];
    const anyBinary = heads.some((h) => h.organIndices.length === 1);
    const spatial = heads[0]!.probs.shape.slice(2);
    if (anyBinary) {
      candidates.push(full([1, 1, ...spatial], threshold, { dtype: heads[0]!.probs.dtype }));
      labelOf.push(0);
    }
    for (const h of heads) {
      if (h.organIndices.length > 1) {
        candidates.push(h.probs.narrow(1, 0, 1));
        labelOf.push(0);
      }
      h.organIndices.forEach((organ, k) => {
        candidates.push(h.probs.narrow(1, k + 1, 1));
        labelOf.push(organ);
      });
    }
    return argmaxLabels(cat(candidates, 1), labelOf);
  });
}
