// `segviz train`: one site trains its model from its config, with validation, checkpoints,
// resume, and MONAI-loadable weights per head at the end.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { annotatedOrgans, organsOf } from "../../data/datasets/label-map.js";
import type { SkippedCase } from "../../data/datasets/split.js";
import { manualSeed, setNumThreads } from "../../engine/index.js";
import { stateToData } from "../../nn/checkpoint.js";
import { applyImportedWeights, importWeights } from "../../nn/monai/import-weights.js";
import { MONAI_LAYOUT, toMonaiLayout } from "../../nn/monai/monai-layout.js";
import { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../nn/monai/unet.js";
import { writeSafetensorsFile } from "../../nn/safetensors/index.js";
import { logEvent } from "../../util/progress.js";
import type { SiteTrainingConfig } from "../config/site-config.js";
import { type HeadSpec, taskHeads } from "../trainer/heads.js";
import { recalibrateBatchNorm } from "../trainer/recalibrate-batch-norm.js";
import { Trainer } from "../trainer/trainer.js";
import type { TrainerOptions } from "../trainer/types.js";
import { createSitePatchLoader, prepareSite, siteTrainingVolumes } from "./prepare-site.js";

interface SiteTrainingResult {
  epochs: number;
  bestMeanDice: number;
  outDir: string;
  /** The monai-unet-<task>.safetensors files, one per head. */
  exports: string[];
  /** Cases left out (the site config said onBadCase "skip"); also in split.json and skipped.json. */
  skipped: SkippedCase[];
}

/** (i, j, k) sizes from configs to the engine's [k, j, i] tensor order. */
export function toEngineOrder(t: readonly [number, number, number]): [number, number, number] {
  return [t[2], t[1], t[0]];
}

/**
 * Writes one head with the body as weights MONAI's UNet loads directly (monai-unet-<task>.safetensors
 * in dir), its task, organs and UNet config in the metadata; returns the file. The kernels are in
 * MONAI's (i, j, k) axis order (monai-layout.ts), so MONAI's UNet on MONAI's own arrays computes
 * what SegViz computes.
 */
export async function saveMonaiHead(
  dir: string,
  model: MultiHeadUNet,
  head: HeadSpec,
  config: UNetConfig,
): Promise<string> {
  const file = join(dir, `monai-unet-${head.task}.safetensors`);
  await writeSafetensorsFile(file, toMonaiLayout(stateToData(model.monaiStateDict(head.task))), {
    format: "pt",
    layout: MONAI_LAYOUT,
    task: head.task,
    organs: JSON.stringify(head.organs),
    config: JSON.stringify({ ...config, outChannels: head.organs.length + 1 }),
  });
  return file;
}

/**
 * The site's model where its training starts: drawn from `seed`, then overwritten by the config's
 * initialWeights when it names a file (the event site.initial-weights says what was loaded).
 */
export async function createStartingSiteModel(
  cfg: SiteTrainingConfig,
  seed?: number,
): Promise<MultiHeadUNet> {
  const model = createSiteModel(cfg, seed);
  if (cfg.initialWeights === undefined) return model;
  try {
    const imported = await importWeights(cfg.initialWeights);
    const { loadedHeads, keptHeads } = applyImportedWeights(model, imported);
    logEvent({ event: "site.initial-weights", site: cfg.site, file: imported.file, loadedHeads, keptHeads });
  } catch (e) {
    model.dispose();
    throw new Error(`site ${cfg.site}: initialWeights ${(e as Error).message}`, { cause: e });
  }
  return model;
}

/** The site's multi-head UNet, its weights drawn from `seed` (same seed, same initial weights). */
export function createSiteModel(cfg: SiteTrainingConfig, seed?: number): MultiHeadUNet {
  if (seed !== undefined) manualSeed(seed);
  // Drawn on the CPU and then moved, so a seed gives the same weights on every device.
  const model = new MultiHeadUNet(cfg.model, taskHeads(cfg.heads));
  return cfg.training.device === "cpu" ? model : model.toDevice(cfg.training.device);
}

/** The trainer settings a site config implies. */
export function siteTrainerOptions(
  cfg: SiteTrainingConfig,
  opts: { outDir?: string; progress?: boolean } = {},
): TrainerOptions {
  const t = cfg.training;
  return {
    organs: organsOf(cfg.labelMap),
    heads: cfg.heads,
    loss: t.loss,
    annotatedOrgans: annotatedOrgans(cfg.labelMap),
    lr: t.lr,
    schedule: t.schedule,
    seed: t.seed,
    device: t.device,
    precision: t.precision,
    outDir: opts.outDir,
    progress: opts.progress,
    progressLabel: cfg.site,
    validation: {
      every: t.validateEvery,
      sw: { roiSize: toEngineOrder(t.roi), overlap: t.overlap, swBatchSize: t.swBatchSize, mode: "gaussian" },
    },
    log: (f) => logEvent({ site: cfg.site, ...f }),
    checkpointInfo: {
      site: cfg.site,
      model: cfg.model,
      preprocess: cfg.preprocess,
      roi: t.roi,
      overlap: t.overlap,
    },
  };
}

async function createSiteTrainer(
  cfg: SiteTrainingConfig,
  opts: { outDir?: string; progress?: boolean } = {},
): Promise<Trainer> {
  setNumThreads(cfg.training.threads);
  // Seeded, so a run is reproducible and every arm of a study starts from the same weights.
  return new Trainer(await createStartingSiteModel(cfg, cfg.training.seed), siteTrainerOptions(cfg, opts));
}

export async function runSiteTraining(
  cfg: SiteTrainingConfig,
  opts: { resume?: boolean } = {},
): Promise<SiteTrainingResult> {
  const prepared = await prepareSite(cfg);
  const trainer = await createSiteTrainer(cfg, { outDir: cfg.outDir, progress: true });
  const last = join(cfg.outDir, "last");
  if (opts.resume && existsSync(join(last, "trainer.json"))) {
    await trainer.resume(last);
    logEvent({ event: "site.resumed", site: cfg.site, epoch: trainer.epoch });
  }
  const loader = await createSitePatchLoader(cfg, prepared);
  try {
    await trainer.fit({ batches: (e) => loader.epoch(e) }, cfg.training.epochs, prepared.validation);
  } finally {
    await loader.close();
  }
  const epochs = trainer.epoch;
  // Weights MONAI's UNet loads directly, one file per head (from the best checkpoint when validated).
  const best = join(cfg.outDir, "best");
  const fromBest = existsSync(join(best, "trainer.json"));
  if (fromBest) await trainer.resume(best);
  if (cfg.training.recalibrateBatchNorm) {
    const windows = recalibrateBatchNorm(
      trainer.model,
      (x) => trainer.model.forwardAll(x),
      await siteTrainingVolumes(prepared),
      toEngineOrder(cfg.augment.patchSize),
    );
    logEvent({ event: "site.batchnorm-recalibrated", site: cfg.site, windows });
    await trainer.saveCheckpoint(fromBest ? best : last);
  }
  const exports: string[] = [];
  for (const h of cfg.heads) exports.push(await saveMonaiHead(cfg.outDir, trainer.model, h, cfg.model));
  const result = {
    epochs,
    bestMeanDice: trainer.bestMeanDice,
    outDir: cfg.outDir,
    exports,
    skipped: prepared.skipped,
  };
  trainer.model.dispose();
  trainer.dispose();
  return result;
}
