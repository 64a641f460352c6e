// Each arm against a baseline arm, organ by organ: cases are paired by case id, pairs where either
// score is NaN (not applicable, see the metrics' empty rules) are dropped and counted, and the
// paired differences (arm - baseline) go to the two-sided Wilcoxon signed-rank test. The p-values
// of one arm's organs form one family for the Holm correction (the study's "Holm-corrected across
// organs"); `holmFamily: "all"` pools every arm and organ into one family instead.

import { medianOfSorted } from "../../util/median.js";
import { holmAdjust } from "./holm.js";
import { type WilcoxonOptions, type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.js";

/** One score of one case on one organ (e.g. a Dice), as an arm's evaluation gives it. */
export interface CaseScore {
  caseId: string;
  organ: string;
  /** NaN means not applicable for this case. */
  value: number;
}

export interface OrganComparison {
  arm: string;
  baseline: string;
  organ: string;
  /** Pairs tested: the case is scored by both arms, neither score NaN. */
  nPairs: number;
  /** Pairs dropped because either score is NaN. */
  nDroppedNaN: number;
  /** Case ids scored by only one of the two arms (not tested). */
  nUnpaired: number;
  /** Means over the tested pairs. */
  armMean: number;
  baselineMean: number;
  /** Mean and median of arm - baseline over the tested pairs. */
  meanDifference: number;
  medianDifference: number;
  test: WilcoxonResult;
  /** Holm-adjusted p-value within the family (see holmFamily). */
  pHolm: number;
}

export interface CompareOptions {
  /** Organs to compare, in this order; default: every organ either arm scores, in first-seen order. */
  organs?: readonly string[];
  /** "per-arm" (default): one Holm family per arm across its organs; "all": one family for everything. */
  holmFamily?: "per-arm" | "all";
  wilcoxon?: WilcoxonOptions;
}

/** The scores of one metric from metric rows such as the metrics layer's OrganCaseMetrics. */
export function caseScores<K extends string>(
  rows: readonly ({ caseId: string; organ: string } & Record<K, number>)[],
  metric: K,
): CaseScore[] {
  return rows.map((r) => ({ caseId: r.caseId, organ: r.organ, value: r[metric] }));
}

/** Every arm except the baseline against the baseline, per organ, Holm-corrected. */
export function compareArmsToBaseline(
  arms: ReadonlyMap<string, readonly CaseScore[]> | Readonly<Record<string, readonly CaseScore[]>>,
  baseline: string,
  options: CompareOptions = {},
): OrganComparison[] {
  const byArm = arms instanceof Map ? arms : new Map(Object.entries(arms));
  const family = options.holmFamily ?? "per-arm";
  if (family !== "per-arm" && family !== "all") {
    throw new Error(`holmFamily: expected "per-arm" or "all", got ${JSON.stringify(family)}`);
  }
  const base = byArm.get(baseline);
  if (base === undefined)
    throw new Error(`baseline: no arm named "${baseline}" among ${[...byArm.keys()].join(", ")}`);
  const baseScores = indexScores(base, `arms.${baseline}`);
  const out: OrganComparison[] = [];
  for (const [arm, scores] of byArm) {
    if (arm === baseline) continue;
    const armScores = indexScores(scores, `arms.${arm}`);
    const organs = options.organs ?? [...new Set([...baseScores.keys(), ...armScores.keys()])];
    const rows = organs.map((organ) => {
      const armCases = armScores.get(organ) ?? new Map<string, number>();
      const baseCases = baseScores.get(organ) ?? new Map<string, number>();
      return compareOrgan(arm, baseline, organ, armCases, baseCases, options.wilcoxon);
    });
    if (family === "per-arm") applyHolm(rows);
    out.push(...rows);
  }
  if (family === "all") applyHolm(out);
  return out;
}

function applyHolm(rows: OrganComparison[]): void {
  const adjusted = holmAdjust(rows.map((r) => r.test.pValue));
  rows.forEach((r, i) => {
    r.pHolm = adjusted[i];
  });
}

function compareOrgan(
  arm: string,
  baseline: string,
  organ: string,
  armCases: Map<string, number>,
  baseCases: Map<string, number>,
  wilcoxon: WilcoxonOptions | undefined,
): OrganComparison {
  const x: number[] = [];
  const y: number[] = [];
  let nDroppedNaN = 0;
  let nUnpaired = 0;
  for (const [caseId, a] of armCases) {
    const b = baseCases.get(caseId);
    if (b === undefined) nUnpaired++;
    else if (Number.isNaN(a) || Number.isNaN(b)) nDroppedNaN++;
    else {
      x.push(a);
      y.push(b);
    }
  }
  for (const caseId of baseCases.keys()) if (!armCases.has(caseId)) nUnpaired++;
  const diff = x.map((a, i) => a - y[i]).sort((p, q) => p - q);
  return {
    arm,
    baseline,
    organ,
    nPairs: x.length,
    nDroppedNaN,
    nUnpaired,
    armMean: mean(x),
    baselineMean: mean(y),
    meanDifference: mean(diff),
    medianDifference: medianOfSorted(diff),
    test: wilcoxonSignedRank(x, y, wilcoxon),
    pHolm: Number.NaN,
  };
}

/** organ -> case id -> value; throws naming the field on a duplicate or a non-number. */
function indexScores(scores: readonly CaseScore[], field: string): Map<string, Map<string, number>> {
  const index = new Map<string, Map<string, number>>();
  scores.forEach((s, i) => {
    if (
      typeof s.value !== "number" ||
      s.value === Number.POSITIVE_INFINITY ||
      s.value === Number.NEGATIVE_INFINITY
    ) {
      throw new Error(`${field}[${i}].value: expected a finite number or NaN, got ${s.value}`);
    }
    let cases = index.get(s.organ);
    if (cases === undefined) index.set(s.organ, (cases = new Map()));
    if (cases.has(s.caseId))
      throw new Error(`${field}[${i}]: duplicate case "${s.caseId}" for organ "${s.organ}"`);
    cases.set(s.caseId, s.value);
  });
  return index;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
