// The coordinator's checkpoint after each completed round: global weights and strategy tensors as
// safetensors, and a small JSON file naming them. The JSON is renamed into place last, so a
// coordinator killed at any moment resumes from the last round whose checkpoint is complete.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync as writeAtomically } from "../../util/file-writes.js";
import type { StrategyState } from "../strategies/strategy.js";
import { decodeWeightSet, encodeWeightSet, type WeightSet } from "../weights/weight-set.js";

export interface CoordinatorCheckpoint {
  round: number;
  strategy: string;
  global: WeightSet;
  strategyState: StrategyState;
  /** The differential-privacy clipping norm and ledger, for a private federation. */
  privacy?: Record<string, unknown>;
}

interface CheckpointIndex {
  format: "segviz-coordinator-checkpoint/1";
  round: number;
  strategy: string;
  globalFile: string;
  globalSha256: string;
  strategyFile: string;
  strategySha256: string;
  strategyJson: Record<string, unknown>;
  privacy?: Record<string, unknown>;
}

const INDEX = "checkpoint.json";

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function saveCheckpoint(dir: string, c: CoordinatorCheckpoint): void {
  mkdirSync(dir, { recursive: true });
  const globalFile = `global-round-${c.round}.safetensors`;
  const strategyFile = `strategy-round-${c.round}.safetensors`;
  const globalBytes = encodeWeightSet(c.global, { round: String(c.round), strategy: c.strategy });
  const strategyBytes = encodeWeightSet(c.strategyState.tensors);
  writeAtomically(join(dir, globalFile), globalBytes);
  writeAtomically(join(dir, strategyFile), strategyBytes);
  const index: CheckpointIndex = {
    format: "segviz-coordinator-checkpoint/1",
    round: c.round,
    strategy: c.strategy,
    globalFile,
    globalSha256: sha256(globalBytes),
    strategyFile,
    strategySha256: sha256(strategyBytes),
    strategyJson: c.strategyState.json,
    privacy: c.privacy,
  };
  writeAtomically(join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
  // Older rounds are no longer referenced.
  for (const name of readdirSync(dir)) {
    const m = /^(global|strategy)-round-(\d+)\.safetensors$/.exec(name);
    if (m !== null && Number(m[2]) < c.round) rmSync(join(dir, name), { force: true });
  }
}

function readIndex(dir: string): CheckpointIndex | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, INDEX), "utf8");
  } catch {
    return undefined;
  }
  const index = JSON.parse(text) as CheckpointIndex;
  if (index.format !== "segviz-coordinator-checkpoint/1")
    throw new Error(`checkpoint ${dir}: unknown format ${index.format}`);
  return index;
}

function readRound(dir: string, index: CheckpointIndex): CoordinatorCheckpoint {
  const read = (file: string, expected: string) => {
    if (!/^[\w.-]+$/.test(file)) throw new Error(`checkpoint ${dir}: bad file name ${JSON.stringify(file)}`);
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    if (sha256(bytes) !== expected) throw new Error(`checkpoint ${dir}: ${file} does not match its checksum`);
    return decodeWeightSet(bytes, join(dir, file));
  };
  return {
    round: index.round,
    strategy: index.strategy,
    global: read(index.globalFile, index.globalSha256),
    strategyState: { tensors: read(index.strategyFile, index.strategySha256), json: index.strategyJson },
    privacy: index.privacy,
  };
}

/**
 * The last complete checkpoint in dir, or undefined when there is none. A reader racing a
 * running coordinator may read the index just before the next round's replaces it and then find
 * that round's files already removed: it reads the new index and tries again.
 */
export function loadCheckpoint(dir: string): CoordinatorCheckpoint | undefined {
  for (let attempt = 1; ; attempt++) {
    const index = readIndex(dir);
    if (index === undefined) return undefined;
    try {
      return readRound(dir, index);
    } catch (e) {
      const gone = (e as NodeJS.ErrnoException).code === "ENOENT";
      if (!gone || attempt >= 5 || readIndex(dir)?.round === index.round)
        throw gone
          ? new Error(`checkpoint ${dir}: a file that ${INDEX} names is missing: ${(e as Error).message}`, {
              cause: e,
            })
          : e;
    }
  }
}
