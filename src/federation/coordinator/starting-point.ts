// Where a coordinator starts: the last checkpoint when resuming (which also restores the
// strategy's state), else the configured initial weights file, else no weights yet (the first
// site provides them).

import { readSafetensorsFile } from "../../nn/safetensors/index.js";
import type { Logger } from "../logging/json-logger.js";
import type { Strategy } from "../strategies/strategy.js";
import type { WeightSet } from "../weights/weight-set.js";
import { loadCheckpoint } from "./checkpoint.js";
import type { CoordinatorConfig } from "./config.js";

export interface StartingPoint {
  global?: WeightSet;
  completedRounds: number;
}

export async function loadStartingPoint(
  config: CoordinatorConfig,
  strategy: Strategy,
  log: Logger,
): Promise<StartingPoint> {
  const start: StartingPoint = { completedRounds: 0 };
  if (config.resume === true && config.checkpointDir !== undefined) {
    const checkpoint = loadCheckpoint(config.checkpointDir);
    if (checkpoint !== undefined) {
      if (checkpoint.strategy !== strategy.name) {
        throw new Error(
          `coordinator: checkpoint was made by strategy ${checkpoint.strategy}, config says ${strategy.name}`,
        );
      }
      start.global = checkpoint.global;
      start.completedRounds = checkpoint.round;
      strategy.loadState(checkpoint.strategyState);
      log.log("info", "resumed", { round: start.completedRounds, dir: config.checkpointDir });
    }
  }
  if (start.global === undefined && config.initialWeightsFile !== undefined) {
    const { tensors } = await readSafetensorsFile(config.initialWeightsFile);
    start.global = strategy.sharing.shared(new Map(Object.keys(tensors).map((k) => [k, tensors[k]])));
  }
  return start;
}
