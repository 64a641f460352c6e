// The weighted mean of the sites' tensors over the names every site sent (the intersection). The
// coordinator accepts only complete updates (update-validation.ts), so for its rounds that is the
// whole shared set; the intersection keeps the strategy safe for callers that do not validate.

import { fromFloat64, numericView, type WeightSet } from "../weights/weight-set.js";
import type { Aggregation, SiteUpdate } from "./strategy.js";

export type Weighting = "uniform" | "cases";

function siteWeights(updates: SiteUpdate[], weighting: Weighting): number[] {
  const total = updates.reduce((s, u) => s + u.numExamples, 0);
  if (weighting === "cases" && total > 0) return updates.map((u) => u.numExamples / total);
  return updates.map(() => 1 / updates.length);
}

/** Names present in the global set and in every update. */
export function commonNames(global: WeightSet, updates: SiteUpdate[]): string[] {
  return [...global.keys()].filter((name) => updates.every((u) => u.weights.has(name))).sort();
}

/** Updates in site-name order: floating-point sums come out the same whatever order they arrived in. */
export function inSiteOrder(updates: SiteUpdate[]): SiteUpdate[] {
  return [...updates].sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
}

/** The aggregation's record of which global names were combined and which were left as they were. */
export function aggregationOf(global: WeightSet, weights: WeightSet, aggregated: string[]): Aggregation {
  const done = new Set(aggregated);
  return { weights, aggregated, unchanged: [...global.keys()].filter((n) => !done.has(n)).sort() };
}

export function weightedMean(global: WeightSet, updates: SiteUpdate[], weighting: Weighting): Aggregation {
  const ordered = inSiteOrder(updates);
  const coefficients = siteWeights(ordered, weighting);
  const aggregated = commonNames(global, ordered);
  const weights: WeightSet = new Map(global);
  for (const name of aggregated) {
    const reference = global.get(name)!;
    const sum = new Float64Array(reference.data.length);
    ordered.forEach((u, k) => {
      const values = numericView(u.weights.get(name)!);
      const c = coefficients[k];
      for (let i = 0; i < sum.length; i++) sum[i] += c * values[i];
    });
    weights.set(name, fromFloat64(reference.dtype, reference.shape, sum));
  }
  return aggregationOf(global, weights, aggregated);
}
