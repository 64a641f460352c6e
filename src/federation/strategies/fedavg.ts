// FedAvg (McMahan et al.): the new global tensor is the (weighted) mean of the sites' tensors.

import { NameFilter } from "../weights/name-filter.js";
import type { WeightSet } from "../weights/weight-set.js";
import { DEFAULT_HEAD_PATTERNS, type StrategyConfig } from "./config.js";
import { RunningMean } from "./running-mean.js";
import type { Aggregation, RoundPlan, SiteUpdate, Strategy, StrategyState } from "./strategy.js";
import { aggregationOf, type Weighting, weightedMean } from "./weighted-mean.js";

/** The sharing filter from the config, plus names the strategy itself keeps local. */
function sharingFilter(config: StrategyConfig, alwaysLocal: string[] = []): NameFilter {
  const exclude = [...(config.share?.exclude ?? []), ...alwaysLocal];
  if (config.headLocal) exclude.push(...(config.headPatterns ?? DEFAULT_HEAD_PATTERNS));
  return new NameFilter(config.share?.include ?? ["*"], exclude);
}

export class FedAvg implements Strategy {
  readonly name: string = "fedavg";
  readonly sharing: NameFilter;
  protected readonly weighting: Weighting;

  constructor(
    protected readonly config: StrategyConfig,
    alwaysLocal: string[] = [],
  ) {
    this.sharing = sharingFilter(config, alwaysLocal);
    this.weighting = config.weighting ?? "uniform";
  }

  configureRound(_round: number): RoundPlan {
    return { localEpochs: this.config.localEpochs ?? 1, proximalMu: 0, options: { ...this.config.options } };
  }

  aggregate(round: number, global: WeightSet, updates: SiteUpdate[]): Aggregation {
    const mean = weightedMean(global, updates, this.weighting);
    return this.fromMean(round, global, new Map(mean.aggregated.map((n) => [n, mean.weights.get(n)!])));
  }

  /** FedAvg's new global weights are the mean itself, over the names it holds. */
  fromMean(_round: number, global: WeightSet, mean: WeightSet): Aggregation {
    const aggregated = [...global.keys()].filter((n) => mean.has(n)).sort();
    return aggregationOf(global, new Map([...global, ...mean]), aggregated);
  }

  startMean(global: WeightSet): RunningMean {
    const shared = [...global.keys()].filter((n) => this.sharing.shares(n));
    return new RunningMean(global, shared, this.weighting);
  }

  saveState(): StrategyState {
    return { tensors: new Map(), json: {} };
  }

  loadState(_state: StrategyState): void {}
}
