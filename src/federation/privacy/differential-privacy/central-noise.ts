// DP-FedAvg with a trusted coordinator: the sites' clipped updates summed in site order, one
// Gaussian draw per value added to the sum, divided by the number of sites (uniform weights).

import type { SiteUpdate } from "../../strategies/strategy.js";
import { fromFloat64, numericView, type WeightSet } from "../../weights/weight-set.js";
import { GaussianSource } from "./gaussian-noise.js";

/** The noised mean of the updates, as new weights for every name of `global`. */
export function noisedMean(global: WeightSet, updates: SiteUpdate[], noiseStd: number): WeightSet {
  const ordered = [...updates].sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
  const gaussian = new GaussianSource();
  const mean: WeightSet = new Map();
  for (const [name, g] of global) {
    const base = numericView(g);
    const sum = new Float64Array(base.length);
    for (const u of ordered) {
      const v = numericView(u.weights.get(name)!);
      for (let i = 0; i < sum.length; i++) sum[i] += v[i] - base[i];
    }
    gaussian.addTo(sum, noiseStd);
    for (let i = 0; i < sum.length; i++) sum[i] = base[i] + sum[i] / ordered.length;
    mean.set(name, fromFloat64(g.dtype, g.shape, sum));
  }
  return mean;
}
