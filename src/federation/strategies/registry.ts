// Strategies selectable by name from the config.

import type { StrategyConfig, StrategyName } from "./config.js";
import { FedAvg } from "./fedavg.js";
import { FedBN } from "./fedbn.js";
import { FedOpt } from "./fedopt.js";
import { FedProx } from "./fedprox.js";
import { FedMedian, FedTrimmedAvg, Krum } from "./robust.js";
import { SegVizHeadLocal } from "./segviz-head-local.js";
import type { Strategy } from "./strategy.js";

const FACTORIES: Record<StrategyName, (c: StrategyConfig) => Strategy> = {
  fedavg: (c) => new FedAvg(c),
  fedbn: (c) => new FedBN(c),
  segviz: (c) => new SegVizHeadLocal(c),
  fedprox: (c) => new FedProx(c),
  fedadam: (c) => new FedOpt(c, "adam"),
  fedyogi: (c) => new FedOpt(c, "yogi"),
  fedmedian: (c) => new FedMedian(c),
  fedtrimmedavg: (c) => new FedTrimmedAvg(c),
  krum: (c) => new Krum(c),
};

export const STRATEGY_NAMES = Object.keys(FACTORIES) as StrategyName[];

export function createStrategy(config: StrategyConfig): Strategy {
  const factory = FACTORIES[config.name];
  if (factory === undefined || !Object.hasOwn(FACTORIES, config.name)) {
    throw new Error(
      `unknown strategy ${JSON.stringify(config.name)}; choose one of ${STRATEGY_NAMES.join(", ")}`,
    );
  }
  return factory(config);
}
