// Trainer module for simulations and process tests: site-entry imports a module like this one
// (named in the local simulation config) and calls createTrainer with the site's options.

import { QuadraticTestTrainer, type QuadraticTrainerOptions } from "./quadratic-trainer.js";

export function createTrainer(options: QuadraticTrainerOptions): QuadraticTestTrainer {
  return new QuadraticTestTrainer(options);
}

/** The coordinator's starting weights for a federation of test sites (the initialModel module). */
export function createInitialWeights(options: QuadraticTrainerOptions) {
  return new QuadraticTestTrainer(options).initialWeights();
}
