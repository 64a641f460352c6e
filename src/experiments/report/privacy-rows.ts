// The cost of privacy, one row per federated arm: its Dice beside the site-level (epsilon, delta)
// its accountant reported, so a private arm is read next to the arms that spent no noise.

import { fixed } from "./format-numbers.js";
import type { StudyReport } from "./report-types.js";

export interface PrivacyRow {
  label: string;
  /** Mean over organs of the fused Dice's mean over cases. */
  meanDice: string;
  epsilon: string;
  noise: string;
  secureAggregation: string;
  clipNorm: string;
}

/** Rows when the study has a private arm (DP or secure aggregation); none otherwise. */
export function privacyRows(report: StudyReport): PrivacyRow[] {
  const federated = report.arms.filter((a) => a.kind === "federated");
  if (!federated.some((a) => a.privacy !== undefined)) return [];
  return federated.map((a) => {
    const means = report.organs
      .map((o) => a.summary[o]?.dice.mean)
      .filter((m): m is number => m !== null && m !== undefined);
    const p = a.privacy;
    const dp = p?.epsilon !== undefined;
    return {
      label: a.label,
      meanDice: means.length === 0 ? "-" : fixed(means.reduce((s, m) => s + m, 0) / means.length, 3),
      epsilon: dp ? `${fixed(p!.epsilon!, 2)} (δ ${p!.delta})` : "∞ (no DP)",
      noise: dp ? `z ${p!.noiseMultiplier}, ${p!.noise}` : "-",
      secureAggregation: p?.secureAggregation ? "yes" : "no",
      clipNorm: dp ? fixed(p!.finalClipNorm!, 3) : "-",
    };
  });
}

export const PRIVACY_LEGEND =
  "Site-level differential privacy of each federated arm after its last round: epsilon at delta from the RDP " +
  "accountant (every site takes part in every round; sampling rate 1), the noise multiplier z and who added " +
  "the noise, whether the coordinator saw only the sum (secure aggregation), and the final clipping norm. " +
  "Mean Dice is the fused Dice's mean over cases, averaged over organs.";
