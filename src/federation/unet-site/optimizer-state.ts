// A site's optimiser state carried from one federation round to the next as local tensors. The
// site client keeps whatever it does not upload in its local state store, so the Adam moments
// travel with the site's other local tensors (heads, FedBN statistics): saved after every round,
// restored when a site restarts, never sent to the coordinator. Names carry a prefix that no
// model tensor has ("optimizer/"), so they cannot be confused with, or merged into, the model.

import { dataToTensor, tensorToData } from "../../nn/checkpoint.js";
import type { Optimizer } from "../../nn/optim/optimizer.js";
import { LocalStateStore } from "../site/local-state.js";
import type { WeightSet } from "../weights/weight-set.js";

const OPTIMIZER_STATE_PREFIX = "optimizer/";
const SCALAR = `${OPTIMIZER_STATE_PREFIX}scalar/`;

/** How a site's optimiser starts each round: with the state it ended the last one, or fresh. */
export type OptimizerStatePolicy = "keep" | "reset";

export function isOptimizerStateName(name: string): boolean {
  return name.startsWith(OPTIMIZER_STATE_PREFIX);
}

/** The model's tensors and the optimiser's, apart. */
export function splitOptimizerState(weights: WeightSet): { model: WeightSet; optimizer: WeightSet } {
  const model: WeightSet = new Map();
  const optimizer: WeightSet = new Map();
  for (const [k, v] of weights) (isOptimizerStateName(k) ? optimizer : model).set(k, v);
  return { model, optimizer };
}

/** The optimiser's state dict as prefixed plain tensors (scalars as float64 [1]). */
export function optimizerStateToWeights(opt: Optimizer): WeightSet {
  const s = opt.stateDict();
  const out: WeightSet = new Map();
  for (const [k, t] of s.tensors) out.set(OPTIMIZER_STATE_PREFIX + k, tensorToData(t));
  for (const [k, v] of Object.entries(s.scalars))
    out.set(SCALAR + k, { dtype: "float64", shape: [1], data: Float64Array.of(v) });
  return out;
}

/** Loads state written by optimizerStateToWeights; a set without it leaves the optimiser fresh. */
export function loadOptimizerStateFromWeights(opt: Optimizer, weights: WeightSet, source: string): void {
  if (weights.size === 0) return;
  const tensors = new Map<string, ReturnType<typeof dataToTensor>>();
  const scalars: Record<string, number> = {};
  try {
    for (const [k, d] of weights) {
      if (!isOptimizerStateName(k)) continue;
      if (k.startsWith(SCALAR)) {
        const v = Number(d.data[0]);
        if (d.data.length !== 1 || !Number.isFinite(v))
          throw new Error(`${source}: optimiser scalar ${JSON.stringify(k)} must be one finite number`);
        scalars[k.slice(SCALAR.length)] = v;
      } else tensors.set(k.slice(OPTIMIZER_STATE_PREFIX.length), dataToTensor(d));
    }
    // The schedule sets the learning rate each epoch; the saved one is only a record.
    const lr = opt.lr;
    opt.loadStateDict({ tensors, scalars });
    opt.lr = lr;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/**
 * A finished federation's site state without the optimiser's moments: only resuming training needs
 * them, and they are twice the model per site. The newest round's local model tensors stay.
 */
export async function dropOptimizerStateFromStore(stateDir: string): Promise<void> {
  await new LocalStateStore(stateDir).compact((name) => !isOptimizerStateName(name));
}
