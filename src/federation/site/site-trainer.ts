// What a site client needs from the training layer. The federation knows nothing about
// networks: it hands the trainer full weight sets (shared tensors from the coordinator merged
// over the site's own local tensors) and takes full weight sets back.

import type { WeightSet } from "../weights/weight-set.js";

export interface TrainingRound {
  round: number;
  localEpochs: number;
  /** FedProx: add (mu / 2) * ||w - globalWeights||^2 to the loss; 0 means plain training. */
  proximalMu: number;
  /** The shared weights as the coordinator sent them (the FedProx anchor). */
  globalWeights: WeightSet;
  options: Record<string, string>;
}

export interface TrainingResult {
  /** The full weight set after training; the site decides what of it is shared. */
  weights: WeightSet;
  metrics: Record<string, number>;
  /** Examples seen, for case-weighted aggregation (defaults to the described count). */
  numExamples?: number;
}

export interface SiteDescriptionForTrainer {
  organs: string[];
  numTrainingCases: number;
}

export interface SiteTrainer {
  describe(): SiteDescriptionForTrainer;
  /** The site's full starting weights; must be the same on every call (seeded). */
  initialWeights(): Promise<WeightSet>;
  train(weights: WeightSet, round: TrainingRound): Promise<TrainingResult>;
  evaluate(weights: WeightSet, round: number): Promise<Record<string, number>>;
}
