// DP-FedAvg with a trusted coordinator: the mean of the sites' clipped updates (uniform weights,
// folded in as they arrived) plus one Gaussian draw per value on their sum, that is noise / sites
// on the mean.

import { fromFloat64, toFloat64, type WeightSet } from "../../weights/weight-set.js";
import { GaussianSource } from "./gaussian-noise.js";

/** The mean of `contributors` updates with N(0, noiseStd^2) noise added to their sum. */
export function noisedMean(mean: WeightSet, contributors: number, noiseStd: number): WeightSet {
  const gaussian = new GaussianSource();
  const out: WeightSet = new Map();
  for (const [name, t] of mean) {
    const noise = new Float64Array(t.data.length);
    gaussian.addTo(noise, noiseStd);
    const values = toFloat64(t);
    for (let i = 0; i < values.length; i++) values[i] += noise[i] / contributors;
    out.set(name, fromFloat64(t.dtype, t.shape, values));
  }
  return out;
}
