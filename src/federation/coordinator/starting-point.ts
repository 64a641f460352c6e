// Where a coordinator starts: the last checkpoint when resuming (which also restores the
// strategy's state), else the configured initial weights file, else the coordinator's own seeded
// model. Never a site's proposal: a site could otherwise pick the model everyone trains.

import { readSafetensorsFile } from "../../nn/safetensors/index.js";
import type { Logger } from "../logging/json-logger.js";
import { validateInitialWeights } from "../security/update-validation.js";
import type { Strategy } from "../strategies/strategy.js";
import type { WeightSet } from "../weights/weight-set.js";
import { loadCheckpoint } from "./checkpoint.js";
import type { CoordinatorConfig, InitialModelSpec } from "./config.js";

export interface StartingPoint {
  global: WeightSet;
  completedRounds: number;
  /** The differential-privacy state saved with the checkpoint resumed from. */
  privacy?: Record<string, unknown>;
}

export async function loadStartingPoint(
  config: CoordinatorConfig,
  strategy: Strategy,
  log: Logger,
): Promise<StartingPoint> {
  if (config.initialWeightsFile !== undefined && config.initialModel !== undefined)
    throw new Error("coordinator: give initialWeightsFile or initialModel, not both");
  if (config.resume === true && config.checkpointDir !== undefined) {
    const checkpoint = loadCheckpoint(config.checkpointDir);
    if (checkpoint !== undefined) {
      if (checkpoint.strategy !== strategy.name) {
        throw new Error(
          `coordinator: checkpoint was made by strategy ${checkpoint.strategy}, config says ${strategy.name}`,
        );
      }
      strategy.loadState(checkpoint.strategyState);
      log.log("info", "resumed", { round: checkpoint.round, dir: config.checkpointDir });
      return { global: checkpoint.global, completedRounds: checkpoint.round, privacy: checkpoint.privacy };
    }
  }
  let full: WeightSet;
  let source: string;
  if (config.initialWeightsFile !== undefined) {
    source = config.initialWeightsFile;
    const { tensors } = await readSafetensorsFile(source);
    full = new Map(Object.keys(tensors).map((k) => [k, tensors[k]]));
  } else if (config.initialModel !== undefined) {
    source = `initialModel ${config.initialModel.module}`;
    full = await buildInitialModel(config.initialModel, strategy);
  } else {
    throw new Error(
      "coordinator: no initial weights: set initialWeightsFile (safetensors) or initialModel (the architecture and seed the coordinator builds); a site's weights are never taken as the start",
    );
  }
  const global = strategy.sharing.shared(full);
  const check = validateInitialWeights(global, strategy.sharing);
  if (!check.ok) throw new Error(`coordinator: initial weights from ${source}: ${check.reason}`);
  log.log("info", "initialized", { source, tensors: global.size });
  return { global, completedRounds: 0 };
}

/** What an initialModel module may ask of the federation: the strategy and what it shares. */
export interface InitialModelContext {
  strategy: string;
  shares(name: string): boolean;
}

async function buildInitialModel(spec: InitialModelSpec, strategy: Strategy): Promise<WeightSet> {
  const module = (await import(spec.module)) as {
    createInitialWeights?: (options: unknown, context: InitialModelContext) => WeightSet | Promise<WeightSet>;
  };
  if (typeof module.createInitialWeights !== "function")
    throw new Error(`coordinator: initialModel module ${spec.module} does not export createInitialWeights`);
  return module.createInitialWeights(spec.options, {
    strategy: strategy.name,
    shares: (name) => strategy.sharing.shares(name),
  });
}
