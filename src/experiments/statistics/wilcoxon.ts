// Paired, two-sided Wilcoxon signed-rank test, matching scipy.stats.wilcoxon(x, y) with its
// defaults in scipy 1.10.1 (Debian 12's python3-scipy): zero_method="wilcox", correction=False,
// method="auto". What that means, step by step (checked against scipy's source and outputs):
// - d = x - y. No pairs: statistic and p-value NaN.
// - method "auto" picks "exact" when there are at most 50 pairs (zeros included in that count),
//   else "approx" (the normal approximation).
// - Any zero difference turns "exact" into "approx". "approx" drops the zero differences
//   ("wilcox"); when every difference is zero scipy raises an error, and here the p-value is NaN
//   with method "none" instead, so a report can show "not applicable" for two identical arms.
// - The statistic is min(R+, R-), the smaller sum of average ranks of |d| by sign.
// - "exact": the p-value comes from the exact null distribution of R+ (signed-rank-distribution.ts).
//   Ties do NOT switch to the normal approximation in scipy 1.10.1: a fractional R+ (from average
//   ranks) is truncated to an integer and looked up in the untied distribution. We do the same, to
//   give the numbers scipy gives; later scipy releases treat ties differently.
// - "approx": z = (T - n(n+1)/4 - c) / sqrt((n(n+1)(2n+1) - sum over tie groups t(t^2-1)/2) / 24),
//   n the non-zero differences, c = 0 (or 0.5 sign(T - mean) with correction), p = 2 P(Z > |z|).

import { twoSidedNormalPValue } from "../../util/normal-tail.js";
import { averageRanks } from "./ranks.js";
import { EXACT_MAX_N, exactSignedRankPValue } from "./signed-rank-distribution.js";

export interface WilcoxonOptions {
  /** "auto" (default): exact up to 50 pairs without zeros, else normal approximation. */
  method?: "auto" | "exact" | "approx";
  /** Continuity correction of the normal approximation (default false, as scipy). */
  correction?: boolean;
}

export interface WilcoxonResult {
  /** min(R+, R-) over the non-zero differences; NaN without pairs or with only zero differences. */
  statistic: number;
  /** Two-sided p-value; NaN without pairs or with only zero differences. */
  pValue: number;
  /** The null distribution used; "none" when there is nothing to test. */
  method: "exact" | "approx" | "none";
  /** The normal statistic, for method "approx". */
  z?: number;
  /** Pairs given. */
  n: number;
  /** Zero differences (dropped by the normal approximation; none reach the exact one). */
  nZero: number;
}

/** The paired two-sided Wilcoxon signed-rank test of x against y (scipy 1.10.1 defaults). */
export function wilcoxonSignedRank(
  x: readonly number[],
  y: readonly number[],
  options: WilcoxonOptions = {},
): WilcoxonResult {
  const requested = options.method ?? "auto";
  if (!["auto", "exact", "approx"].includes(requested)) {
    throw new Error(`method: expected "auto", "exact" or "approx", got ${JSON.stringify(requested)}`);
  }
  if (y.length !== x.length)
    throw new Error(`y: expected ${x.length} values, paired with x, got ${y.length}`);
  checkFinite(x, "x");
  checkFinite(y, "y");
  const n = x.length;
  const d = x.map((xi, i) => xi - y[i]);
  const nZero = d.filter((di) => di === 0).length;
  const none: WilcoxonResult = { statistic: Number.NaN, pValue: Number.NaN, method: "none", n, nZero };
  if (n === 0) return none;
  let method = requested === "auto" ? (n <= 50 ? "exact" : "approx") : requested;
  if (nZero > 0) method = "approx";
  const nonZero = d.filter((di) => di !== 0);
  if (nonZero.length === 0) return none;

  const { ranks, tieSizes } = averageRanks(nonZero.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  nonZero.forEach((di, i) => {
    if (di > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  });
  const statistic = Math.min(rPlus, rMinus);
  const m = nonZero.length;

  if (method === "exact") {
    if (m > EXACT_MAX_N) {
      throw new Error(
        `method: "exact" supports at most ${EXACT_MAX_N} non-zero differences, got ${m}; use "approx"`,
      );
    }
    return { statistic, pValue: exactSignedRankPValue(Math.trunc(rPlus), m), method: "exact", n, nZero };
  }
  const mean = (m * (m + 1)) / 4;
  const tieTerm = tieSizes.reduce((s, t) => s + t * (t * t - 1), 0);
  const sd = Math.sqrt((m * (m + 1) * (2 * m + 1) - 0.5 * tieTerm) / 24);
  const c = options.correction ? 0.5 * Math.sign(statistic - mean) : 0;
  const z = (statistic - mean - c) / sd;
  return { statistic, pValue: twoSidedNormalPValue(z), method: "approx", z, n, nZero };
}

function checkFinite(values: readonly number[], field: string): void {
  if (!Array.isArray(values)) throw new Error(`${field}: expected an array of numbers`);
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${field}[${i}]: expected a finite number, got ${v} (drop NaN pairs before testing)`);
    }
  });
}
