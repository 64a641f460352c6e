// Strategies for federations that cannot trust every site: FedAvg's rounds and sharing (heads kept
// local with headLocal), with a combination rule that one bad site among several cannot steer.

import type { WeightSet } from "../weights/weight-set.js";
import type { StrategyConfig } from "./config.js";
import { FedAvg } from "./fedavg.js";
import { coordinateMedian, multiKrum, trimmedMean } from "./robust-combine.js";
import type { Aggregation, SiteUpdate } from "./strategy.js";

export class FedMedian extends FedAvg {
  readonly usesEachUpdate = true;
  override readonly name = "fedmedian";
  override aggregate(_round: number, global: WeightSet, updates: SiteUpdate[]): Aggregation {
    return coordinateMedian(global, updates);
  }
}

export class FedTrimmedAvg extends FedAvg {
  readonly usesEachUpdate = true;
  override readonly name = "fedtrimmedavg";
  private readonly trim: number;
  constructor(config: StrategyConfig) {
    super(config);
    // Flower's default beta.
    this.trim = config.trimFraction ?? 0.2;
    if (!(this.trim >= 0 && this.trim < 0.5))
      throw new Error(`strategy fedtrimmedavg: trimFraction must be in [0, 0.5), got ${this.trim}`);
  }
  override aggregate(_round: number, global: WeightSet, updates: SiteUpdate[]): Aggregation {
    return trimmedMean(global, updates, this.trim);
  }
}

export class Krum extends FedAvg {
  readonly usesEachUpdate = true;
  override readonly name = "krum";
  private readonly byzantine: number;
  private readonly keep: number;
  constructor(config: StrategyConfig) {
    super(config);
    this.byzantine = config.byzantineSites ?? 1;
    this.keep = config.krumKeep ?? 1;
  }
  override aggregate(_round: number, global: WeightSet, updates: SiteUpdate[]): Aggregation {
    return multiKrum(global, updates, this.byzantine, this.keep);
  }
}
