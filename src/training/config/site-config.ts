// A site's training config (`segviz train --config site.json`): its data, label map, model and
// training settings. Validated against a JSON Schema on load; defaults are the SegViz study's,
// scaled where noted so that a CPU run is practical.

import type { LabelMap } from "../../data/datasets/label-map.js";
import { annotatedOrgans, organsOf } from "../../data/datasets/label-map.js";
import type { DatasetSpec } from "../../data/datasets/list-cases.js";
import { type AugmentSettings, SEGVIZ_AUGMENT } from "../../data/pipeline/augment-settings.js";
import { type PreprocessSettings, SEGVIZ_PREPROCESS } from "../../data/pipeline/preprocess-settings.js";
import { SEGVIZ_UNET, type UNetConfig } from "../../nn/monai/unet.js";
import type { HeadSpec } from "../trainer/heads.js";
import { type LrScheduleConfig, type Precision, precisionsOn } from "../trainer/types.js";
import { resolveLabelMap } from "./label-map-presets.js";
import { readJsonFile } from "./read-json.js";
import {
  augmentSchema,
  datasetSpecSchema,
  deviceSchema,
  headsSchema,
  labelMapSchema,
  modelSchema,
  preprocessSchema,
  slidingWindowProperties,
  trainingBudgetProperties,
} from "./schema-parts.js";
import { validateAgainstSchema } from "./validate-json.js";

interface TrainingSettings {
  epochs: number;
  /** Volumes per step; each yields augment.numSamples patches (MONAI batch x num_samples). */
  batchSize: number;
  lr: number;
  schedule: LrScheduleConfig;
  /**
   * "condist": ConDistFL (a federated site with one head over every organ: marginal Dice + CE on
   * the organs its label map annotates, distillation of the round's global model for the rest).
   */
  loss: "dice" | "dicece" | "condist";
  seed: number;
  threads: number;
  workers: number;
  validationFraction: number;
  validateEvery: number;
  /** Sliding-window ROI in voxels (i, j, k); the study used 160^3 on a GPU. */
  roi: [number, number, number];
  overlap: number;
  swBatchSize: number;
  /** "cpu" or "cuda[:n]" (needs a CUDA libtorch). */
  device: string;
  /** Forward-pass arithmetic (trainer/types.ts): "fp32", "bf16" (autocast) or "fp16" (CUDA only). */
  precision: Precision;
  /**
   * After training, recompute BatchNorm statistics for the final weights over the site's training
   * volumes (recalibrate-batch-norm.ts) before the checkpoint and exports are written.
   */
  recalibrateBatchNorm: boolean;
}

/** A site's parsed training config (site.json); the federation's site client has its own SiteConfig. */
export interface SiteTrainingConfig {
  site: string;
  data: DatasetSpec;
  labelMap: LabelMap;
  heads: HeadSpec[];
  model: UNetConfig;
  preprocess: PreprocessSettings;
  augment: AugmentSettings;
  training: TrainingSettings;
  outDir: string;
  cacheDir: string;
  /**
   * A case whose files are missing, unreadable or inconsistent: "fail" (the default) stops with
   * every such case listed; "skip" trains without them and records each (split.json, skipped.json).
   */
  onBadCase: "skip" | "fail";
  /**
   * Where the model starts instead of its seeded draw: a MONAI Bundle folder, a .pt state dict or
   * a safetensors file (nn/monai/import-weights.ts); its body must match the model's.
   */
  initialWeights?: string;
}

const DEFAULT_TRAINING: TrainingSettings = {
  epochs: 10,
  batchSize: 2,
  lr: 1e-4,
  schedule: { kind: "constant" },
  loss: "dice",
  seed: 0,
  threads: 2,
  workers: 1,
  validationFraction: 0.2,
  validateEvery: 5,
  roi: [96, 96, 32],
  overlap: 0.25,
  swBatchSize: 4,
  device: "cpu",
  precision: "fp32",
  recalibrateBatchNorm: false,
};

const siteConfigSchema = {
  type: "object",
  properties: {
    site: { type: "string", pattern: "^[A-Za-z0-9_-]+$" },
    data: datasetSpecSchema,
    labelMap: labelMapSchema,
    heads: headsSchema,
    model: modelSchema,
    preprocess: preprocessSchema,
    augment: augmentSchema,
    training: {
      type: "object",
      properties: {
        ...trainingBudgetProperties,
        loss: { enum: ["dice", "dicece", "condist"] },
        seed: { type: "integer", minimum: 0 },
        threads: { type: "integer", minimum: 1 },
        validationFraction: { type: "number", minimum: 0, maximum: 1 },
        validateEvery: { type: "integer", minimum: 1 },
        ...slidingWindowProperties,
        device: deviceSchema,
        recalibrateBatchNorm: { type: "boolean" },
      },
      additionalProperties: false,
    },
    outDir: { type: "string", minLength: 1 },
    cacheDir: { type: "string", minLength: 1 },
    onBadCase: { enum: ["skip", "fail"] },
    initialWeights: { type: "string", minLength: 1 },
  },
  required: ["site", "data", "labelMap", "outDir"],
  additionalProperties: false,
} as const;

type RawSiteConfig = {
  site: string;
  data: DatasetSpec;
  labelMap: string | LabelMap;
  heads?: HeadSpec[];
  model?: Partial<UNetConfig>;
  preprocess?: Partial<PreprocessSettings>;
  augment?: Partial<AugmentSettings>;
  training?: Partial<TrainingSettings>;
  outDir: string;
  cacheDir?: string;
  onBadCase?: "skip" | "fail";
  initialWeights?: string;
};

/** Validates and fills defaults; `source` (a file name) is named in every error. */
export function parseSiteConfig(value: unknown, source: string): SiteTrainingConfig {
  const raw = validateAgainstSchema<RawSiteConfig>(value, siteConfigSchema, source);
  const labelMap = resolveLabelMap(raw.labelMap, `${source}: /labelMap`);
  const vocabulary = organsOf(labelMap);
  const heads = raw.heads ?? annotatedOrgans(labelMap).map((o) => ({ task: o, organs: [o] }));
  for (const [i, h] of heads.entries()) {
    for (const o of h.organs) {
      if (!vocabulary.includes(o)) {
        throw new Error(
          `${source}: invalid config:\n  /heads/${i}/organs: '${o}' is not in the label map's organs [${vocabulary.join(", ")}]`,
        );
      }
    }
  }
  const model = resolveUNetConfig(raw.model, source, "/model");
  const training = { ...DEFAULT_TRAINING, ...raw.training };
  checkPrecisionDevice(
    training.precision,
    { value: training.device, pointer: "/training/device" },
    source,
    "/training/precision",
  );
  return {
    site: raw.site,
    data: raw.data,
    labelMap,
    heads,
    model,
    preprocess: { ...SEGVIZ_PREPROCESS, ...raw.preprocess },
    augment: { ...SEGVIZ_AUGMENT, ...raw.augment },
    training,
    outDir: raw.outDir,
    cacheDir: raw.cacheDir ?? `${raw.outDir}/cache`,
    onBadCase: raw.onBadCase ?? "fail",
    ...(raw.initialWeights !== undefined && { initialWeights: raw.initialWeights }),
  };
}

/** A precision the device cannot train in (fp16 on a CPU) is refused, naming both fields. */
export function checkPrecisionDevice(
  precision: Precision,
  device: { value: string; pointer: string },
  source: string,
  pointer: string,
): void {
  if (!precisionsOn(device.value).includes(precision))
    throw new Error(
      `${source}: invalid config:\n  ${pointer}: "${precision}" needs a CUDA device (${device.pointer} is "${device.value}"); use "bf16" on a CPU`,
    );
}

/** A config's model section over SegViz's UNet defaults, its strides checked against its channels. */
export function resolveUNetConfig(
  partial: Partial<UNetConfig> | undefined,
  source: string,
  pointer: string,
): UNetConfig {
  const model: UNetConfig = { ...SEGVIZ_UNET, ...partial };
  if (model.strides.length !== model.channels.length - 1) {
    throw new Error(
      `${source}: invalid config:\n  ${pointer}/strides: needs ${model.channels.length - 1} entries, one less than ${pointer}/channels`,
    );
  }
  return model;
}

export async function loadSiteConfig(path: string): Promise<SiteTrainingConfig> {
  return parseSiteConfig(await readJsonFile(path), path);
}
