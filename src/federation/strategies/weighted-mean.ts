// The weighted mean of the sites' tensors over the names every site sent (the intersection). The
// coordinator accepts only complete updates (update-validation.ts), so for its rounds that is the
// whole shared set; the intersection keeps the strategy safe for callers that do not validate.
// It is a RunningMean fed in site order: the coordinator's streaming fold computes the same bits.

import type { WeightSet } from "../weights/weight-set.js";
import { RunningMean, type Weighting } from "./running-mean.js";
import type { Aggregation, SiteUpdate } from "./strategy.js";

export type { Weighting } from "./running-mean.js";

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
  // Sites that report no examples cannot be weighed by cases: then every site counts the same.
  const cases = weighting === "cases" && ordered.reduce((s, u) => s + u.numExamples, 0) > 0;
  const names = commonNames(global, ordered);
  if (ordered.length === 0) return aggregationOf(global, new Map(global), []);
  const running = new RunningMean(global, names, cases ? "cases" : "uniform");
  for (const u of ordered) running.add(u.weights, u.numExamples);
  const mean = running.mean();
  return aggregationOf(global, new Map([...global, ...mean]), [...mean.keys()]);
}
