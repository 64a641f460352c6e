// Aggregation rules that a minority of bad updates cannot steer (Flower's FedMedian, FedTrimmedAvg
// and Krum): the coordinate-wise median (Yin et al. 2018), the coordinate-wise trimmed mean (the
// same paper), and (Multi-)Krum (Blanchard et al. 2017), which keeps the updates closest to their
// neighbours and averages them. Sites are combined in site-name order, so results do not depend on
// the order updates arrived in.
import { medianOfSorted } from "../../util/median.js";
import { fromFloat64, isFloatDtype, numericView, type WeightSet } from "../weights/weight-set.js";
import type { Aggregation, SiteUpdate } from "./strategy.js";
import { aggregationOf, commonNames, inSiteOrder, weightedMean } from "./weighted-mean.js";

/** Per element, `reduce` over the sites' values (sorted ascending) gives the new value. */
function coordinateWise(
  global: WeightSet,
  updates: SiteUpdate[],
  reduce: (sorted: Float64Array) => number,
): Aggregation {
  const ordered = inSiteOrder(updates);
  const aggregated = commonNames(global, ordered);
  const weights: WeightSet = new Map(global);
  const column = new Float64Array(ordered.length);
  for (const name of aggregated) {
    const reference = global.get(name)!;
    const views = ordered.map((u) => numericView(u.weights.get(name)!));
    const out = new Float64Array(reference.data.length);
    for (let i = 0; i < out.length; i++) {
      for (let k = 0; k < views.length; k++) column[k] = views[k]![i]!;
      column.sort();
      out[i] = reduce(column);
    }
    weights.set(name, fromFloat64(reference.dtype, reference.shape, out));
  }
  return aggregationOf(global, weights, aggregated);
}

export function coordinateMedian(global: WeightSet, updates: SiteUpdate[]): Aggregation {
  return coordinateWise(global, updates, medianOfSorted);
}

/** Drops the floor(trim * n) smallest and largest values of each element, averages the rest. */
export function trimmedMean(global: WeightSet, updates: SiteUpdate[], trim: number): Aggregation {
  const cut = Math.floor(trim * updates.length);
  if (updates.length - 2 * cut < 1)
    throw new Error(`trimmed mean: trimming ${cut} of ${updates.length} updates at each end leaves none`);
  return coordinateWise(global, updates, (v) => {
    let sum = 0;
    for (let k = cut; k < v.length - cut; k++) sum += v[k]!;
    return sum / (v.length - 2 * cut);
  });
}

/** Squared L2 distance between two updates over the floating-point tensors named. */
function squaredDistance(a: WeightSet, b: WeightSet, names: string[]): number {
  let d = 0;
  for (const name of names) {
    const x = numericView(a.get(name)!);
    const y = numericView(b.get(name)!);
    for (let i = 0; i < x.length; i++) {
      const e = x[i]! - y[i]!;
      d += e * e;
    }
  }
  return d;
}

/**
 * Multi-Krum: each update's score is the sum of squared distances to its n - f - 2 nearest other
 * updates; the `keep` lowest-scored are averaged (keep 1: Krum). Needs n > 2f + 2.
 */
export function multiKrum(
  global: WeightSet,
  updates: SiteUpdate[],
  byzantine: number,
  keep: number,
): Aggregation & { selected: string[] } {
  const n = updates.length;
  if (n <= 2 * byzantine + 2)
    throw new Error(
      `Krum: ${n} updates cannot tolerate ${byzantine} bad ones (needs more than ${2 * byzantine + 2})`,
    );
  const ordered = inSiteOrder(updates);
  const names = commonNames(global, ordered).filter((name) => isFloatDtype(global.get(name)!.dtype));
  const distance = ordered.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const d = squaredDistance(ordered[i]!.weights, ordered[j]!.weights, names);
      distance[i]![j] = d;
      distance[j]![i] = d;
    }
  const neighbours = n - byzantine - 2;
  const scores = ordered.map((_, i) => {
    const others = [...distance[i]!].filter((_, j) => j !== i).sort((a, b) => a - b);
    return others.slice(0, neighbours).reduce((s, d) => s + d, 0);
  });
  // Ties go to the site that sorts first, so the choice is the same in every run.
  const chosen = ordered
    .map((u, i) => ({ u, score: scores[i]! }))
    .sort((a, b) => a.score - b.score)
    .slice(0, Math.min(Math.max(1, keep), n))
    .map((c) => c.u);
  return { ...weightedMean(global, chosen, "uniform"), selected: chosen.map((u) => u.siteId).sort() };
}
