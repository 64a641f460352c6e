// A training checkpoint on disk: model.safetensors (MONAI-style names), optimizer.safetensors
// (state tensors; step count and lr in its metadata) and trainer.json, each written atomically.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Tensor } from "../../engine/index.js";
import { loadStateDictFile, saveStateDict } from "../../nn/checkpoint.js";
import { writeFileAtomic } from "../../util/file-writes.js";

interface CheckpointContents {
  model: Map<string, Tensor>;
  optimizer: { tensors: Map<string, Tensor>; scalars: Record<string, number> };
  trainer: Record<string, unknown>;
}

export async function writeCheckpoint(
  dir: string,
  c: CheckpointContents,
  metadata: Record<string, string>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveStateDict(join(dir, "model.safetensors"), c.model, metadata);
  const scalars = Object.fromEntries(Object.entries(c.optimizer.scalars).map(([k, v]) => [k, String(v)]));
  await saveStateDict(join(dir, "optimizer.safetensors"), c.optimizer.tensors, {
    ...scalars,
    format: "segviz-optimizer",
  });
  await writeFileAtomic(join(dir, "trainer.json"), JSON.stringify(c.trainer, null, 2));
}

/** Reads a checkpoint; the caller owns (and disposes) the returned tensors. */
export async function readCheckpoint(dir: string): Promise<CheckpointContents> {
  let trainer: Record<string, unknown>;
  try {
    trainer = JSON.parse(await readFile(join(dir, "trainer.json"), "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`checkpoint ${dir}: cannot read trainer.json: ${(e as Error).message}`);
  }
  const model = (await loadStateDictFile(join(dir, "model.safetensors"))).tensors;
  const opt = await loadStateDictFile(join(dir, "optimizer.safetensors"));
  const scalars: Record<string, number> = {};
  for (const [k, v] of Object.entries(opt.metadata))
    if (k !== "format" && Number.isFinite(Number(v))) scalars[k] = Number(v);
  return { model, optimizer: { tensors: opt.tensors, scalars }, trainer };
}
