// A finished arm keeps its models and drops what only resuming its training needed: every
// optimizer.safetensors, and the optimiser moments and older rounds in each federated site's local
// state. Run after arm.json is written; `--keep-all` skips it.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { dropOptimizerStateFromStore } from "../../federation/index.js";

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return total;
}

async function prune(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // A federated site's local state (federation/site/local-state.ts) lives in sites/<site>/state.
      if (e.name === "state") await dropOptimizerStateFromStore(p);
      else await prune(p);
    } else if (e.name === "optimizer.safetensors") await rm(p, { force: true });
  }
}

/** Prunes a finished arm's folder; returns its size before and after, in bytes. */
export async function pruneFinishedArm(dir: string): Promise<{ before: number; after: number }> {
  const before = await folderBytes(dir);
  await prune(dir);
  return { before, after: await folderBytes(dir) };
}
