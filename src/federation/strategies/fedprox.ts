// FedProx (Li et al.): server side as FedAvg; each site adds (mu / 2) * ||w - w_global||^2 to its
// loss, so the round plan carries mu to the trainer.

import type { StrategyConfig } from "./config.js";
import { FedAvg } from "./fedavg.js";
import type { RoundPlan } from "./strategy.js";

export class FedProx extends FedAvg {
  override readonly name = "fedprox";
  private readonly mu: number;

  constructor(config: StrategyConfig) {
    super(config);
    this.mu = config.proximalMu ?? 0.01;
    if (!(this.mu >= 0))
      throw new Error(`strategy fedprox: proximalMu must be >= 0, got ${config.proximalMu}`);
  }

  override configureRound(round: number): RoundPlan {
    return { ...super.configureRound(round), proximalMu: this.mu };
  }
}
