// FedAdam and FedYogi (Reddi et al., "Adaptive Federated Optimization"): the mean of the sites'
// weights minus the global weights is a pseudo-gradient, and a server-side Adam or Yogi step
// moves the global weights along it. The moments are strategy state and are checkpointed.
// Statistics (BatchNorm running means and variances) are not parameters: a sign-like Adam step
// would move a variance by the learning rate whatever its scale, even below zero, so they take
// the sites' mean.

import { NameFilter } from "../weights/name-filter.js";
import { fromFloat64, isFloatDtype, numericView, toFloat64, type WeightSet } from "../weights/weight-set.js";
import { DEFAULT_STATISTICS_PATTERNS, type StrategyConfig } from "./config.js";
import { FedAvg } from "./fedavg.js";
import type { Aggregation, StrategyState } from "./strategy.js";

type ServerOptimizer = "adam" | "yogi";

export class FedOpt extends FedAvg {
  override readonly name: string;
  private readonly eta: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly tau: number;
  private readonly statistics: NameFilter;
  private readonly m = new Map<string, Float64Array>();
  private readonly v = new Map<string, Float64Array>();

  constructor(
    config: StrategyConfig,
    private readonly optimizer: ServerOptimizer,
  ) {
    super(config);
    this.name = optimizer === "adam" ? "fedadam" : "fedyogi";
    this.eta = config.serverLearningRate ?? 0.01;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.99;
    this.tau = config.tau ?? 1e-3;
    this.statistics = new NameFilter(config.statisticsPatterns ?? DEFAULT_STATISTICS_PATTERNS, []);
  }

  /** The Adam or Yogi step along the mean's change from the global weights. */
  override fromMean(round: number, global: WeightSet, meanWeights: WeightSet): Aggregation {
    const mean = super.fromMean(round, global, meanWeights);
    const weights: WeightSet = new Map(mean.weights);
    for (const name of mean.aggregated) {
      const before = global.get(name)!;
      // Integer tensors (e.g. num_batches_tracked) have no gradient to follow: keep the mean.
      if (!isFloatDtype(before.dtype) || this.statistics.shares(name)) continue;
      const x = toFloat64(before);
      const avg = numericView(mean.weights.get(name)!);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (m === undefined || v === undefined || m.length !== x.length) {
        m = new Float64Array(x.length);
        v = new Float64Array(x.length).fill(this.tau * this.tau);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      for (let i = 0; i < x.length; i++) {
        const d = avg[i] - x[i];
        const d2 = d * d;
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * d;
        if (this.optimizer === "adam") v[i] = this.beta2 * v[i] + (1 - this.beta2) * d2;
        else v[i] = v[i] - (1 - this.beta2) * d2 * Math.sign(v[i] - d2);
        x[i] += (this.eta * m[i]) / (Math.sqrt(v[i]) + this.tau);
      }
      weights.set(name, fromFloat64(before.dtype, before.shape, x));
    }
    return { ...mean, weights };
  }

  override saveState(): StrategyState {
    const tensors: WeightSet = new Map();
    for (const [name, m] of this.m) {
      tensors.set(`m/${name}`, { dtype: "float64", shape: [m.length], data: m.slice() });
      tensors.set(`v/${name}`, { dtype: "float64", shape: [m.length], data: this.v.get(name)!.slice() });
    }
    return { tensors, json: { optimizer: this.optimizer } };
  }

  override loadState(state: StrategyState): void {
    this.m.clear();
    this.v.clear();
    for (const [key, t] of state.tensors) {
      if (t.dtype !== "float64")
        throw new Error(`strategy ${this.name}: state tensor ${key} is ${t.dtype}, not float64`);
      if (key.startsWith("m/")) this.m.set(key.slice(2), t.data.slice());
      else if (key.startsWith("v/")) this.v.set(key.slice(2), t.data.slice());
      else throw new Error(`strategy ${this.name}: unexpected state tensor ${key}`);
    }
  }
}
