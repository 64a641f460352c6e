// Fusion of several heads' probabilities into one organ label map. In a federation each site
// trains its own (usually binary) head on its own data and the study fuses them; how the heads
// compete decides whether an overconfident head steals its neighbours' voxels, so several rules
// are offered for comparison:
//  - "max": a voxel takes the organ with the highest probability among those above the threshold,
//    else background. A multi-class head's background channel competes too, so a single
//    multi-class head reduces to its argmax. This is the historical rule of fuseHeads(heads, t).
//  - "calibrated": "max" with a per-head threshold (HeadProbabilities.threshold, e.g. from
//    calibrateThreshold), falling back to the global one.
//  - "logit-softmax": argmax over every head's channels, backgrounds included (see logitSoftmax).
//  - "uncertainty": FUNAvg-style certainty-weighted averaging of the heads (see uncertaintyWeighted).

import { cat, full, type Tensor, tidy } from "../../engine/index.js";
import { argmaxLabels } from "./argmax-labels.js";

export interface HeadProbabilities {
  /** Softmax probabilities [1, 1 + organs, D, H, W]; channel 0 is the head's background. */
  probs: Tensor;
  /** Label value (organ index) of each organ channel, in channel order. */
  organIndices: number[];
  /** This head's threshold for the "calibrated" rule; the global threshold when absent. */
  threshold?: number;
}

export const FUSION_RULES = ["max", "calibrated", "logit-softmax", "uncertainty"] as const;
export type FusionRule = (typeof FUSION_RULES)[number];

interface FuseOptions {
  /** Default "max". */
  rule?: FusionRule;
  /** Global threshold for "max" and the fallback for "calibrated"; default 0.5. */
  threshold?: number;
}

/** Floor before taking logs, so zero probabilities give finite (very negative) log-probabilities. */
const LOG_FLOOR = 1e-12;
/** Added to every certainty so voxels where all heads are maximally uncertain stay defined. */
const CERTAINTY_EPS = 1e-6;

/**
 * Returns an organ-index label map [D, H, W] (uint8). A number is the "max" rule's threshold
 * (the historical form); options choose the rule.
 */
export function fuseHeads(
  heads: readonly HeadProbabilities[],
  thresholdOrOptions: number | FuseOptions = 0.5,
): Tensor {
  const opts =
    typeof thresholdOrOptions === "number" ? { threshold: thresholdOrOptions } : thresholdOrOptions;
  const rule = opts.rule ?? "max";
  const threshold = opts.threshold ?? 0.5;
  if (rule === "max") return maxRule(heads, threshold);
  checkHeads(heads);
  switch (rule) {
    case "calibrated":
      return calibrated(heads, threshold);
    case "logit-softmax":
      return logitSoftmax(heads);
    case "uncertainty":
      return uncertaintyWeighted(heads);
    default:
      throw new Error(`fuseHeads: unknown rule ${String(rule)}`);
  }
}

/** The historical rule, kept verbatim: a constant threshold channel stands in for background. */
function maxRule(heads: readonly HeadProbabilities[], threshold: number): Tensor {
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

function checkHeads(heads: readonly HeadProbabilities[]): void {
  if (heads.length === 0) throw new Error("fuseHeads: no heads");
  for (const h of heads) {
    if (h.organIndices.length < 1 || h.probs.shape[1] !== h.organIndices.length + 1) {
      throw new Error(
        `fuseHeads: head with ${h.probs.shape[1]} channels needs ${h.probs.shape[1]! - 1} organ indices, got ${h.organIndices.length}`,
      );
    }
  }
}

/**
 * "max" with per-head thresholds. An organ channel below its head's threshold is masked to -inf;
 * a constant -1 channel (below every probability, above the masks) is the background. A head's
 * threshold gates its organs where "max" would gate them (every head once any head is binary,
 * since "max"'s threshold channel competes with all) or where the head sets one explicitly, so
 * without per-head thresholds this equals "max". Multi-class backgrounds still compete.
 */
function calibrated(heads: readonly HeadProbabilities[], threshold: number): Tensor {
  return tidy(() => {
    const dtype = heads[0]!.probs.dtype;
    const anyBinary = heads.some((h) => h.organIndices.length === 1);
    const candidates: Tensor[] = [full([1, 1, ...heads[0]!.probs.shape.slice(2)], -1, { dtype })];
    const labelOf: number[] = [0];
    for (const h of heads) {
      if (h.organIndices.length > 1) {
        candidates.push(h.probs.narrow(1, 0, 1));
        labelOf.push(0);
      }
      const organs = h.probs.narrow(1, 1, h.organIndices.length);
      const t = h.threshold ?? (anyBinary ? threshold : undefined);
      // Compare against a tensor of the probabilities' dtype, as "max" does with its threshold
      // channel, so a probability equal to the (rounded) threshold is background in both rules.
      candidates.push(
        t === undefined
          ? organs
          : organs.where(organs.gt(full([1], t, { dtype })), full([1], Number.NEGATIVE_INFINITY, { dtype })),
      );
      labelOf.push(...h.organIndices);
    }
    return argmaxLabels(cat(candidates, 1), labelOf);
  });
}

/**
 * Softmax competition between all heads' logits, each head's background logit included: the
 * argmax over every head's background and organ channels decides, a background win meaning
 * background. Softmax is monotone, so the argmax of the logits is enough.
 *
 * Caveat: heads provide probabilities, so log(max(p, 1e-12)) stands in for their logits, which
 * are only known up to a per-head additive constant (the head's log-partition). A head's organ
 * thus wins where its log-probability is the largest of all heads' log-probabilities, backgrounds
 * included: a confident background of another head vetoes it. With real logits the per-head
 * constants would shift the competition.
 *
 * Why not per-head log-odds log(p / (1 - p)) against 0: for binary heads that is exactly "max"
 * at threshold 0.5 (log-odds > 0 iff p > 0.5, and log-odds are monotone in p), so it adds
 * nothing; the raw per-channel values are what let one head's background veto another's organ.
 */
function logitSoftmax(heads: readonly HeadProbabilities[]): Tensor {
  return tidy(() => {
    const candidates: Tensor[] = [];
    const labelOf: number[] = [];
    for (const h of heads) {
      candidates.push(h.probs.clamp(LOG_FLOOR).log());
      labelOf.push(0, ...h.organIndices);
    }
    return argmaxLabels(cat(candidates, 1), labelOf);
  });
}

/**
 * FUNAvg-style fusion (certainty-weighted averaging of the heads' predictions). Per voxel and
 * head k, certainty c_k = clamp(1 - H(p_k) / log(C_k), 0, 1) + eps, with H the entropy of the
 * head's softmax over its C_k channels. Fused background b = sum_k c_k p_k(bg) / sum_k c_k; each
 * organ channel of head k scores c_k p_k(organ) / sum_j c_j. The scores sum to 1 per voxel, and
 * the background candidate comes first so it wins ties.
 */
function uncertaintyWeighted(heads: readonly HeadProbabilities[]): Tensor {
  return tidy(() => {
    const certainty = heads.map((h) => {
      const p = h.probs;
      const entropy = p.mul(p.clamp(LOG_FLOOR).log()).sum(1, true).neg();
      return entropy.div(Math.log(p.shape[1]!)).neg().add(1).clamp(0, 1).add(CERTAINTY_EPS);
    });
    const total = certainty.reduce((a, b) => a.add(b));
    const background = heads
      .map((h, k) => certainty[k]!.mul(h.probs.narrow(1, 0, 1)))
      .reduce((a, b) => a.add(b))
      .div(total);
    const candidates: Tensor[] = [background];
    const labelOf: number[] = [0];
    heads.forEach((h, k) => {
      candidates.push(certainty[k]!.mul(h.probs.narrow(1, 1, h.organIndices.length)).div(total));
      labelOf.push(...h.organIndices);
    });
    return argmaxLabels(cat(candidates, 1), labelOf);
  });
}
