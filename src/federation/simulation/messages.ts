// Messages between simulate() and the processes it forks (Node IPC, local only).

import type { CoordinatorConfig } from "../coordinator/config.js";
import type { SiteConfig } from "../site/config.js";

/** A trainer for a forked site: an ES module exporting createTrainer(options) (or a promise of one). */
export interface TrainerSpec {
  module: string;
  options: unknown;
}

export type ToCoordinator = { type: "start"; config: CoordinatorConfig };
export type FromCoordinator =
  | { type: "listening"; port: number; statusPort?: number }
  | { type: "done"; completedRounds: number; maxRssBytes?: number }
  | { type: "failed"; error: string };

export type ToSite = { type: "start"; config: SiteConfig; trainer: TrainerSpec };
export type FromSite =
  | { type: "done"; roundsTrained: number; lastRound: number }
  | { type: "failed"; error: string };

export const QUADRATIC_TRAINER_MODULE = new URL("../testing/quadratic-trainer-module.js", import.meta.url)
  .href;

/** A test federation's starting point: the quadratic sites' shared initial weights. */
export const QUADRATIC_INITIAL_MODEL = { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: 1 } };
