// The study's experiment file (`segviz experiment --config study.json`): the sites and their label
// maps and HU windows, the external test set, the model, the training budget shared by every arm,
// the arms, inference and statistics settings, seeds and threads. Validated against a JSON Schema;
// errors name the file and the field. Defaults are the SegViz study's (docs/study.md).

import { annotatedOrgans, type LabelMap } from "../../data/datasets/label-map.js";
import type { DatasetSpec } from "../../data/datasets/list-cases.js";
import { ORGANS } from "../../data/datasets/organs.js";
import { type AugmentSettings, SEGVIZ_AUGMENT } from "../../data/pipeline/augment-settings.js";
import { type PreprocessSettings, SEGVIZ_PREPROCESS } from "../../data/pipeline/preprocess-settings.js";
import { SEGVIZ_UNET, type UNetConfig } from "../../nn/monai/unet.js";
import { resolveLabelMap } from "../../training/config/label-map-presets.js";
import { readJsonFile } from "../../training/config/read-json.js";
import {
  augmentSchema,
  datasetSpecSchema,
  deviceSchema,
  labelMapSchema,
  modelSchema,
  preprocessSchema,
  slidingWindowProperties,
  trainingBudgetProperties,
} from "../../training/config/schema-parts.js";
import { checkPrecisionDevice } from "../../training/config/site-config.js";
import { validateAgainstSchema } from "../../training/config/validate-json.js";
import { FUSION_RULES, type FusionRule } from "../../training/inference/fuse-heads.js";
import type { LrScheduleConfig, Precision } from "../../training/trainer/types.js";
import { ARM_KINDS, type ArmSpec, DEFAULT_ARMS, resolveArm } from "./arms.js";

export type HuWindow = [number, number];

export interface ExperimentSite {
  name: string;
  data: DatasetSpec;
  labelMap: LabelMap;
  /** Organs the site annotates (from its label map). */
  organs: string[];
  /** HU window of this site's preprocessing (the study windows each site for its organ). */
  window: HuWindow;
}

interface ExperimentTraining {
  /** Local epochs per site (federated arms: rounds x roundEpochs). */
  epochs: number;
  /** Federated arms aggregate after this many local epochs (the study: 10). */
  roundEpochs: number;
  /** Federated arms: epochs of head-only fine-tuning at each site after the federation (the study: 150). */
  headFineTuneEpochs: number;
  /** Volumes per step; each gives augment.numSamples patches. */
  batchSize: number;
  lr: number;
  schedule: LrScheduleConfig;
  /** Supervised loss of the individual, federated and naive central arms. */
  loss: "dice" | "dicece";
  /** Forward-pass arithmetic of every arm's training (trainer/types.ts); evaluation is float32. */
  precision: Precision;
  workers: number;
  /** Federated arms: a site's Adam state continues across rounds ("keep") or restarts each round. */
  optimizerState: "keep" | "reset";
  /**
   * After training (federated arms: after the federation, before head fine-tuning), recompute every
   * model's BatchNorm statistics for its final weights on the training data it may see.
   */
  recalibrateBatchNorm: boolean;
}

interface ExperimentInference {
  /** Sliding-window ROI in voxels (i, j, k); the study: 160^3. */
  roi: [number, number, number];
  overlap: number;
  swBatchSize: number;
  /** Probability an organ must exceed to win a voxel in head fusion. */
  threshold: number;
  /** How per-organ heads become one label map (fuse-heads.ts); the report's main Dice uses it. */
  fusion: FusionRule;
}

export interface ExperimentConfig {
  name: string;
  outDir: string;
  cacheDir: string;
  /** Seeds the initial weights (the same for every arm and site), splits and patch sampling. */
  seed: number;
  threads: number;
  /**
   * A site case that cannot be used: "skip" (the default for a study) leaves it out of every arm
   * and the report lists it; "fail" stops the study. The external test set never skips.
   */
  onBadCase: "skip" | "fail";
  /**
   * Every arm and site starts from these weights instead of the seeded draw: a MONAI Bundle folder,
   * a .pt state dict or a safetensors file (heads too where their shapes match).
   */
  initialWeights?: string;
  /** "cpu" or "cuda" (needs a CUDA libtorch, see the README). */
  device: string;
  /** Label vocabulary: organ i is label i + 1 everywhere (training caches, predictions, reports). */
  organs: string[];
  sites: ExperimentSite[];
  test: { name: string; data: DatasetSpec; labelMap: LabelMap; maxCases: number | null };
  /** HU window of the central arms, over all organs (the study: -200..304). */
  centralWindow: HuWindow;
  model: UNetConfig;
  /** Orientation, spacing, crop and padding, common to all sites (the window is per site). */
  preprocess: Omit<PreprocessSettings, "window">;
  augment: AugmentSettings;
  training: ExperimentTraining;
  inference: ExperimentInference;
  arms: ArmSpec[];
  /** The arm the others are tested against. */
  baseline: string;
  /** fusionRules: more fusion rules scored beside inference.fusion (report: diceFusion per case). */
  /**
   * recalibrateBatchNorm: recompute each model's BatchNorm statistics for its final weights on its
   * own training data before scoring (a diagnosis of models trained without it).
   */
  evaluation: {
    hd95: boolean;
    overlayCases: number;
    alpha: number;
    fusionRules: FusionRule[];
    recalibrateBatchNorm: boolean;
  };
}

export const DEFAULT_TRAINING: ExperimentTraining = {
  epochs: 500,
  roundEpochs: 10,
  headFineTuneEpochs: 150,
  batchSize: 2,
  lr: 1e-4,
  schedule: { kind: "constant" },
  loss: "dice",
  precision: "fp32",
  workers: 1,
  optimizerState: "reset",
  recalibrateBatchNorm: false,
};

const DEFAULT_INFERENCE: ExperimentInference = {
  roi: [160, 160, 160],
  overlap: 0.25,
  swBatchSize: 4,
  threshold: 0.5,
  fusion: "max",
};

const name = { type: "string", pattern: "^[A-Za-z0-9_-]+$" } as const;
const window = {
  type: "array",
  items: { type: "number" },
  minItems: 2,
  maxItems: 2,
} as const;
const { window: _w, ...preprocessWithoutWindow } = preprocessSchema.properties;

const experimentConfigSchema = {
  type: "object",
  properties: {
    name,
    outDir: { type: "string", minLength: 1 },
    cacheDir: { type: "string", minLength: 1 },
    seed: { type: "integer", minimum: 0 },
    threads: { type: "integer", minimum: 1 },
    onBadCase: { enum: ["skip", "fail"] },
    initialWeights: { type: "string", minLength: 1 },
    device: deviceSchema,
    organs: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, uniqueItems: true },
    sites: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { name, data: datasetSpecSchema, labelMap: labelMapSchema, window },
        required: ["name", "data", "labelMap", "window"],
        additionalProperties: false,
      },
    },
    test: {
      type: "object",
      properties: {
        name,
        data: datasetSpecSchema,
        labelMap: labelMapSchema,
        maxCases: { type: "integer", minimum: 1 },
      },
      required: ["data", "labelMap"],
      additionalProperties: false,
    },
    centralWindow: window,
    model: modelSchema,
    preprocess: { ...preprocessSchema, properties: preprocessWithoutWindow },
    augment: augmentSchema,
    training: {
      type: "object",
      properties: {
        ...trainingBudgetProperties,
        roundEpochs: { type: "integer", minimum: 1 },
        headFineTuneEpochs: { type: "integer", minimum: 0 },
        optimizerState: { enum: ["keep", "reset"] },
        recalibrateBatchNorm: { type: "boolean" },
      },
      additionalProperties: false,
    },
    inference: {
      type: "object",
      properties: {
        ...slidingWindowProperties,
        threshold: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
        fusion: { enum: FUSION_RULES },
      },
      additionalProperties: false,
    },
    arms: {
      type: "array",
      minItems: 1,
      items: {
        oneOf: [
          { enum: ARM_KINDS },
          {
            type: "object",
            properties: {
              kind: { enum: ARM_KINDS },
              name,
              label: { type: "string", minLength: 1 },
              proximalMu: { type: "number", minimum: 0 },
              serverLearningRate: { type: "number", exclusiveMinimum: 0 },
              tau: { type: "number", exclusiveMinimum: 0 },
              lambdaExclusion: { type: "number", minimum: 0 },
              roundEpochs: { type: "integer", minimum: 1 },
              optimizerState: { enum: ["keep", "reset"] },
              weighting: { enum: ["uniform", "cases"] },
              localStatistics: { type: "boolean" },
              transferDtype: { enum: ["float32", "float16", "bfloat16"] },
              noiseMultiplier: { type: "number", exclusiveMinimum: 0 },
              clipNorm: { type: "number", exclusiveMinimum: 0 },
              adaptiveClipping: { type: "boolean" },
              secureAggregation: { type: "boolean" },
            },
            required: ["kind"],
            additionalProperties: false,
          },
        ],
      },
    },
    baseline: name,
    evaluation: {
      type: "object",
      properties: {
        hd95: { type: "boolean" },
        overlayCases: { type: "integer", minimum: 0 },
        alpha: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
        fusionRules: { type: "array", items: { enum: FUSION_RULES }, uniqueItems: true },
        recalibrateBatchNorm: { type: "boolean" },
      },
      additionalProperties: false,
    },
  },
  required: ["sites", "test", "outDir"],
  additionalProperties: false,
} as const;

type Raw = {
  name?: string;
  outDir: string;
  cacheDir?: string;
  seed?: number;
  threads?: number;
  onBadCase?: "skip" | "fail";
  initialWeights?: string;
  device?: string;
  organs?: string[];
  sites: { name: string; data: DatasetSpec; labelMap: string | LabelMap; window: HuWindow }[];
  test: { name?: string; data: DatasetSpec; labelMap: string | LabelMap; maxCases?: number };
  centralWindow?: HuWindow;
  model?: Partial<UNetConfig>;
  preprocess?: Partial<Omit<PreprocessSettings, "window">>;
  augment?: Partial<AugmentSettings>;
  training?: Partial<ExperimentTraining>;
  inference?: Partial<ExperimentInference>;
  arms?: (string | Record<string, unknown>)[];
  baseline?: string;
  evaluation?: Partial<ExperimentConfig["evaluation"]>;
};

function invalid(source: string, field: string, why: string): Error {
  return new Error(`${source}: invalid config:\n  ${field}: ${why}`);
}

function checkWindow(w: HuWindow, source: string, field: string): HuWindow {
  if (!(w[0] < w[1])) throw invalid(source, field, `needs low < high HU, got [${w[0]}, ${w[1]}]`);
  return w;
}

/** Validates `value` (a parsed experiment file) and fills in defaults; errors name `source` and the field. */
export function parseExperimentConfig(value: unknown, source: string): ExperimentConfig {
  const raw = validateAgainstSchema<Raw>(value, experimentConfigSchema, source);
  const organs = raw.organs ?? [...ORGANS];
  const names = new Set<string>();
  const sites = raw.sites.map((s, i): ExperimentSite => {
    if (names.has(s.name)) throw invalid(source, `/sites/${i}/name`, `site '${s.name}' is listed twice`);
    names.add(s.name);
    const labelMap = resolveLabelMap(s.labelMap, `${source}: /sites/${i}/labelMap`);
    const mapOrgans = labelMap.organs ?? ORGANS;
    if (mapOrgans.join() !== organs.join()) {
      throw invalid(
        source,
        `/sites/${i}/labelMap`,
        `its organ vocabulary [${mapOrgans.join(", ")}] differs from the experiment's [${organs.join(", ")}]`,
      );
    }
    return {
      name: s.name,
      data: s.data,
      labelMap,
      organs: annotatedOrgans(labelMap),
      window: checkWindow(s.window, source, `/sites/${i}/window`),
    };
  });
  const testMap = resolveLabelMap(raw.test.labelMap, `${source}: /test/labelMap`);
  if ((testMap.organs ?? ORGANS).join() !== organs.join())
    throw invalid(source, "/test/labelMap", "its organ vocabulary differs from the experiment's organs");
  const model: UNetConfig = { ...SEGVIZ_UNET, ...raw.model };
  if (model.strides.length !== model.channels.length - 1)
    throw invalid(
      source,
      "/model/strides",
      `needs ${model.channels.length - 1} entries, one less than /model/channels`,
    );
  // MONAI's UNet concatenates each skip with the upsampled path: sizes must halve exactly at every stride.
  const factor = model.strides.reduce((a, b) => a * b, 1);
  const augment = { ...SEGVIZ_AUGMENT, ...raw.augment };
  const inference = { ...DEFAULT_INFERENCE, ...raw.inference };
  for (const [field, size] of [
    ["/augment/patchSize", augment.patchSize],
    ["/inference/roi", inference.roi],
  ] as const) {
    if (size.some((n) => n % factor !== 0))
      throw invalid(
        source,
        field,
        `[${size.join(", ")}] must be multiples of ${factor} (the product of /model/strides)`,
      );
  }
  const training = { ...DEFAULT_TRAINING, ...raw.training };
  checkPrecisionDevice(
    training.precision,
    { value: raw.device ?? "cpu", pointer: "/device" },
    source,
    "/training/precision",
  );
  if (training.epochs % training.roundEpochs !== 0) {
    throw invalid(
      source,
      "/training/roundEpochs",
      `epochs (${training.epochs}) must be a whole number of rounds of ${training.roundEpochs} epochs`,
    );
  }
  const arms = (raw.arms ?? DEFAULT_ARMS).map((a, i) => resolveArm(a, `${source}: /arms/${i}`));
  const armNames = arms.map((a) => a.name);
  const dup = armNames.find((n, i) => armNames.indexOf(n) !== i);
  if (dup !== undefined) throw invalid(source, "/arms", `two arms are named '${dup}'`);
  arms.forEach((a, i) => {
    if (a.roundEpochs !== undefined && training.epochs % a.roundEpochs !== 0)
      throw invalid(
        source,
        `/arms/${i}/roundEpochs`,
        `epochs (${training.epochs}) must be a whole number of rounds of ${a.roundEpochs} epochs`,
      );
  });
  const baseline = raw.baseline ?? (armNames.includes("individual") ? "individual" : armNames[0]!);
  if (!armNames.includes(baseline))
    throw invalid(source, "/baseline", `'${baseline}' is not one of the arms [${armNames.join(", ")}]`);
  const { window: _ignored, ...preprocessDefaults } = SEGVIZ_PREPROCESS;
  return {
    name: raw.name ?? "segviz-study",
    outDir: raw.outDir,
    cacheDir: raw.cacheDir ?? `${raw.outDir}/cache`,
    seed: raw.seed ?? 0,
    threads: raw.threads ?? 2,
    onBadCase: raw.onBadCase ?? "skip",
    ...(raw.initialWeights !== undefined && { initialWeights: raw.initialWeights }),
    device: raw.device ?? "cpu",
    organs,
    sites,
    test: {
      name: raw.test.name ?? "test",
      data: raw.test.data,
      labelMap: testMap,
      maxCases: raw.test.maxCases ?? null,
    },
    centralWindow: checkWindow(raw.centralWindow ?? [-200, 304], source, "/centralWindow"),
    model,
    preprocess: { ...preprocessDefaults, ...raw.preprocess },
    augment,
    training,
    inference,
    arms,
    baseline,
    evaluation: {
      hd95: true,
      overlayCases: 2,
      alpha: 0.05,
      fusionRules: [],
      recalibrateBatchNorm: false,
      ...raw.evaluation,
    },
  };
}

export async function loadExperimentConfig(path: string): Promise<ExperimentConfig> {
  return parseExperimentConfig(await readJsonFile(path), path);
}
