// FedBN (Li et al.): BatchNorm weights, biases and running statistics never leave the site;
// everything else is averaged as in FedAvg.

import { DEFAULT_BATCH_NORM_PATTERNS, type StrategyConfig } from "./config.js";
import { FedAvg } from "./fedavg.js";

export class FedBN extends FedAvg {
  override readonly name = "fedbn";
  constructor(config: StrategyConfig) {
    super(config, config.batchNormPatterns ?? DEFAULT_BATCH_NORM_PATTERNS);
  }
}
