// A UNet federation started from a weights file: a MONAI Bundle folder, a .pt state dict or a
// safetensors file, read into SegViz's names and axis order (nn/monai/import-weights.ts). Named
// in the coordinator config as its initialModel module (coordinator.json's initialWeightsFile and
// a study's initialWeights become this), so the federation core never sees a model format. A
// MONAI file's single head has no task name: it starts no head, so the heads must stay local.
import { importWeights } from "../../nn/monai/import-weights.js";
import type { InitialModelSpec } from "../coordinator/config.js";
import type { InitialModelContext } from "../coordinator/starting-point.js";
import type { WeightSet } from "../weights/weight-set.js";

export async function createInitialWeights(
  options: { file: string },
  context: InitialModelContext,
): Promise<WeightSet> {
  const imported = await importWeights(options.file);
  const full: WeightSet = new Map(Object.entries(imported.tensors));
  if (imported.kind === "monai") {
    const head = [...full.keys()].filter((n) => n.startsWith("model.2."));
    if (head.some((n) => context.shares(n)))
      throw new Error(
        `initial weights ${imported.file} hold MONAI's single head (model.2.*), which ${context.strategy} would share; with shared heads start from initialModel or a SegViz checkpoint`,
      );
    for (const n of head) full.delete(n);
  }
  return full;
}

export const UNET_WEIGHTS_FILE_MODULE = import.meta.url;

/** The coordinator's initialModel that starts a UNet federation from this file. */
export function initialModelFromFile(file: string): InitialModelSpec {
  return { module: UNET_WEIGHTS_FILE_MODULE, options: { file } };
}
