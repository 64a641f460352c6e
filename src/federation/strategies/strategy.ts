// The one interface every aggregation strategy implements (Flower's idea): configure a round,
// aggregate the sites' results, and save/restore whatever state survives a coordinator restart.

import type { NameFilter } from "../weights/name-filter.js";
import type { WeightSet } from "../weights/weight-set.js";
import type { RunningMean } from "./running-mean.js";

/** What a site is asked to do in one round. */
export interface RoundPlan {
  localEpochs: number;
  /** FedProx proximal weight; 0 disables the term. */
  proximalMu: number;
  options: Record<string, string>;
}

/** One site's validated shared weights after local training. */
export interface SiteUpdate {
  siteId: string;
  numExamples: number;
  weights: WeightSet;
}

export interface Aggregation {
  weights: WeightSet;
  /** Names combined from the sites' updates this round. */
  aggregated: string[];
  /** Names of the global set left as they were (not sent by every site). */
  unchanged: string[];
}

/** Strategy state that must survive a restart: tensors (e.g. optimiser moments) and JSON. */
export interface StrategyState {
  tensors: WeightSet;
  json: Record<string, unknown>;
}

export interface Strategy {
  readonly name: string;
  /** What leaves a site; everything else stays local. */
  readonly sharing: NameFilter;
  /** True for strategies that combine each site's update (median, Krum): no mean-only path. */
  readonly usesEachUpdate?: boolean;
  configureRound(round: number): RoundPlan;
  aggregate(round: number, global: WeightSet, updates: SiteUpdate[]): Aggregation;
  /**
   * The server step from an already averaged set (secure aggregation and differential privacy
   * hand over only the mean, never the sites' updates). Strategies that need each site's update
   * (median, trimmed mean, Krum) leave it undefined, and those features refuse them.
   */
  fromMean?(round: number, global: WeightSet, mean: WeightSet): Aggregation;
  /**
   * For strategies whose aggregate is fromMean of the updates' (weighted) mean: an empty running
   * mean of the shared tensors, which the coordinator feeds each update as it arrives (and so
   * never holds more than one model's sum). Left undefined where the mean is not enough.
   */
  startMean?(global: WeightSet): RunningMean;
  saveState(): StrategyState;
  loadState(state: StrategyState): void;
}
