// Strategy configuration as it appears in the coordinator's config file.

import type { Weighting } from "./weighted-mean.js";

export type StrategyName =
  | "fedavg"
  | "fedbn"
  | "segviz"
  | "fedprox"
  | "fedadam"
  | "fedyogi"
  | "fedmedian"
  | "fedtrimmedavg"
  | "krum";

export interface StrategyConfig {
  name: StrategyName;
  /** FedAvg weights: uniform mean (the SegViz study) or by training-case counts. */
  weighting?: Weighting;
  localEpochs?: number;
  /** Extra sharing filter on top of the strategy's own: patterns with * and ?. */
  share?: { include?: string[]; exclude?: string[] };
  /** Keep the per-task heads at their site (always on for "segviz"). */
  headLocal?: boolean;
  /**
   * Names of the per-task heads. Default: MONAI's UNet top up-block (model.2.*) and SegViz's
   * multi-head UNet heads (heads.<task>.*).
   */
  headPatterns?: string[];
  /** Names of BatchNorm tensors that FedBN keeps local. */
  batchNormPatterns?: string[];
  /** FedProx proximal weight mu. */
  proximalMu?: number;
  /**
   * FedAdam/FedYogi: tensors that are statistics rather than parameters (default: BatchNorm running
   * means and variances); they take the sites' mean, as in FedAvg, instead of a server step.
   */
  statisticsPatterns?: string[];
  /** FedAdam/FedYogi server learning rate, moment decays and adaptivity tau. */
  serverLearningRate?: number;
  beta1?: number;
  beta2?: number;
  tau?: number;
  /** fedtrimmedavg: fraction of the sites dropped at each end of every coordinate (default 0.2). */
  trimFraction?: number;
  /** krum: how many bad sites to tolerate (default 1; needs more than 2f + 2 sites). */
  byzantineSites?: number;
  /** krum: how many of the best-scored updates to average (default 1: Krum; more: Multi-Krum). */
  krumKeep?: number;
  /** Passed to every site's trainer with each task. */
  options?: Record<string, string>;
}

/** A MONAI UNet's head is its top up-block model.2; SegViz's multi-head UNet names heads heads.<task>. */
export const DEFAULT_HEAD_PATTERNS = ["model.2.*", "heads.*"];
/** Running statistics (PyTorch's BatchNorm buffers): measured on data, never gradient-trained. */
export const DEFAULT_STATISTICS_PATTERNS = ["*.running_mean", "*.running_var"];
/** MONAI puts each norm layer at ".adn.N"; running statistics are caught by their names too. */
export const DEFAULT_BATCH_NORM_PATTERNS = [
  "*.adn.N.*",
  "*.running_mean",
  "*.running_var",
  "*.num_batches_tracked",
];
