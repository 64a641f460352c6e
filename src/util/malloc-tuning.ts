// Sets glibc malloc's mmap and trim thresholds for a process that moves model-sized messages (the
// coordinator, a site): native/src/malloc_tuning.c says why. It is a small addon of its own, so a
// coordinator never loads libtorch. Process-wide and idempotent; the first call decides.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { builtAddonPath } from "./package-root.js";

const MiB = 1024 * 1024;

/** glibc's largest mmap threshold on 64-bit: buffers up to this size come from the heap. */
export const TRANSFER_MMAP_THRESHOLD_BYTES = 32 * MiB;
/** Free heap kept for the next round's messages before any is given back to the system. */
export const TRANSFER_TRIM_THRESHOLD_BYTES = 256 * MiB;

export type MallocTuning =
  | { applied: true; mmapThresholdBytes: number; trimThresholdBytes: number }
  | { applied: false; reason: string };

interface MallocAddon {
  setMallocThresholds(mmapThresholdBytes: number, trimThresholdBytes: number): boolean;
}

/** Where the addon is built. */
export function mallocAddonPath(): string {
  return builtAddonPath("segviz_malloc");
}

/**
 * What tuneMallocForTransfers would do in an environment, without doing it: left alone when
 * SEGVIZ_MALLOC_TUNING is "off" or GLIBC_TUNABLES already sets either threshold (the person who
 * set it wins).
 */
export function mallocTuningRefusal(env: NodeJS.ProcessEnv): string | undefined {
  const setting = env.SEGVIZ_MALLOC_TUNING;
  if (setting !== undefined && setting !== "" && setting !== "on") {
    if (setting === "off") return "SEGVIZ_MALLOC_TUNING=off";
    throw new Error(`SEGVIZ_MALLOC_TUNING: "${setting}" is neither "on" nor "off"`);
  }
  if (/glibc\.malloc\.(mmap|trim)_threshold=/.test(env.GLIBC_TUNABLES ?? ""))
    return "GLIBC_TUNABLES sets malloc's thresholds";
  return undefined;
}

let decided: MallocTuning | undefined;

/** Applies the transfer thresholds once per process and says whether it did, and if not why. */
export function tuneMallocForTransfers(env: NodeJS.ProcessEnv = process.env): MallocTuning {
  if (decided !== undefined) return decided;
  decided = decide(env);
  return decided;
}

function decide(env: NodeJS.ProcessEnv): MallocTuning {
  const refusal = mallocTuningRefusal(env);
  if (refusal !== undefined) return { applied: false, reason: refusal };
  const path = mallocAddonPath();
  if (!existsSync(path))
    return { applied: false, reason: `${path} is not built (run bash scripts/setup.sh)` };
  const addon = createRequire(import.meta.url)(path) as MallocAddon;
  if (!addon.setMallocThresholds(TRANSFER_MMAP_THRESHOLD_BYTES, TRANSFER_TRIM_THRESHOLD_BYTES))
    return { applied: false, reason: "the C library is not glibc" };
  return {
    applied: true,
    mmapThresholdBytes: TRANSFER_MMAP_THRESHOLD_BYTES,
    trimThresholdBytes: TRANSFER_TRIM_THRESHOLD_BYTES,
  };
}
