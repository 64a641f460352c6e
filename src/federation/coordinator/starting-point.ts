// Where a coordinator starts: the last checkpoint when resuming (which also restores the
// strategy's state), else the configured initial weights file, else the coordinator's own seeded
// model. Never a site's proposal: a site could otherwise pick the model everyone trains.

import { importWeights } from "../../nn/monai/import-weights.js";
import type { Logger } from "../logging/json-logger.js";
import { validateInitialWeights } from "../security/update-validation.js";
import type { Strategy } from "../strategies/strategy.js";
import type { WeightSet } from "../weights/weight-set.js";
import { loadCheckpoint } from "./checkpoint.js";
import type { CoordinatorConfig, InitialModelSpec } from "./config.js";

export interface StartingPoint {
  global: WeightSet;
  completedRounds: number;
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
      return { global: checkpoint.global, completedRounds: checkpoint.round };
    }
  }
  let full: WeightSet;
  let source: string;
  if (config.initialWeightsFile !== undefined) {
    full = await weightsFromFile(config.initialWeightsFile, strategy);
    source = config.initialWeightsFile;
  } else if (config.initialModel !== undefined) {
    source = `initialModel ${config.initialModel.module}`;
    full = await buildInitialModel(config.initialModel);
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

/**
 * A starting file of any kind importWeights reads (bundle, .pt, safetensors), in SegViz's names
 * and axis order. A MONAI file's one head has no task name, so it starts no head: the federation's
 * heads must then be local to the sites.
 */
async function weightsFromFile(path: string, strategy: Strategy): Promise<WeightSet> {
  const imported = await importWeights(path);
  const full: WeightSet = new Map(Object.entries(imported.tensors));
  if (imported.kind === "monai") {
    const head = [...full.keys()].filter((n) => n.startsWith("model.2."));
    if (head.some((n) => strategy.sharing.shares(n)))
      throw new Error(
        `coordinator: initialWeightsFile ${imported.file} holds MONAI's single head (model.2.*), which ${strategy.name} would share; with shared heads start from initialModel or a SegViz checkpoint`,
      );
    for (const n of head) full.delete(n);
  }
  return full;
}

async function buildInitialModel(spec: InitialModelSpec): Promise<WeightSet> {
  const module = (await import(spec.module)) as {
    createInitialWeights?: (options: unknown) => WeightSet | Promise<WeightSet>;
  };
  if (typeof module.createInitialWeights !== "function")
    throw new Error(`coordinator: initialModel module ${spec.module} does not export createInitialWeights`);
  return module.createInitialWeights(spec.options);
}
