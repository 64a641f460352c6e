// A trained checkpoint (written by the trainer) as a ready model with what prediction needs:
// its heads, label vocabulary, preprocessing and sliding-window settings.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PreprocessSettings } from "../../data/pipeline/preprocess-settings.js";
import { loadStateDictFile } from "../../nn/checkpoint.js";
import { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../nn/monai/unet.js";
import { type HeadSpec, organIndices, taskHeads } from "../trainer/heads.js";

export interface Predictor {
  model: MultiHeadUNet;
  heads: { task: string; organIndices: number[] }[];
  organs: string[];
  preprocess: PreprocessSettings;
  /** (i, j, k) */
  roi: [number, number, number];
  overlap: number;
}

export async function loadPredictor(checkpointDir: string): Promise<Predictor> {
  const file = join(checkpointDir, "trainer.json");
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: cannot read the checkpoint description: ${(e as Error).message}`);
  }
  for (const field of ["model", "heads", "organs", "preprocess", "roi"]) {
    if (info[field] === undefined)
      throw new Error(`${file}: missing field '${field}' (not a segviz train checkpoint?)`);
  }
  const heads = info.heads as HeadSpec[];
  const organs = info.organs as string[];
  const model = new MultiHeadUNet(info.model as UNetConfig, taskHeads(heads));
  const state = (await loadStateDictFile(join(checkpointDir, "model.safetensors"))).tensors;
  try {
    model.loadStateDict(state);
  } finally {
    for (const t of state.values()) t.dispose();
  }
  return {
    model: model.eval(),
    heads: heads.map((h) => ({ task: h.task, organIndices: organIndices(h, organs) })),
    organs,
    preprocess: info.preprocess as PreprocessSettings,
    roi: info.roi as [number, number, number],
    overlap: typeof info.overlap === "number" ? info.overlap : 0.25,
  };
}
