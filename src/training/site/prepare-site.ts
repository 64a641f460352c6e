// From a site config to what the trainer consumes: cases listed and split (seeded, saved),
// preprocessed through the on-disk cache with the site's label map, patch entries for the worker
// loader and whole validation volumes. Bad cases are reported by file and skipped.
import { join } from "node:path";
import { PreprocessCache, readCacheEntry } from "../../data/cache/index.js";
import { listCases } from "../../data/datasets/list-cases.js";
import { splitCases } from "../../data/datasets/split.js";
import { type PatchEntry, PatchLoader } from "../../data/pipeline/patch-loader.js";
import { preprocessDataset } from "../../data/pipeline/preprocess-dataset.js";
import type { Volume } from "../../data/volume.js";
import { logEvent } from "../../util/progress.js";
import type { SiteTrainingConfig } from "../config/site-config.js";
import type { RecalibrationVolume } from "../trainer/recalibrate-batch-norm.js";
import type { ValidationCase } from "../trainer/types.js";

export interface PreparedSite {
  trainEntries: PatchEntry[];
  validation: ValidationCase[];
  bad: { file: string; reason: string }[];
}

/** A cached volume (i fastest) as engine-layout data: row-major [k, j, i]. */
export function volumeToEngineShape(v: Volume): [number, number, number] {
  const [i, j, k] = v.shape;
  return [k!, j!, i!];
}

export async function prepareSite(cfg: SiteTrainingConfig): Promise<PreparedSite> {
  const listed = await listCases(cfg.data, { requireLabels: true, onBadCase: "skip" });
  const bad = listed.bad.map((b) => ({ file: b.file, reason: b.reason }));
  const split = await splitCases(listed.cases, {
    file: join(cfg.outDir, "split.json"),
    seed: cfg.training.seed,
    validationFraction: cfg.training.validationFraction,
  });
  logEvent({
    event: "site.cases",
    site: cfg.site,
    train: split.train.length,
    validation: split.validation.length,
    bad: bad.length,
    splitReused: split.reused,
  });
  const cache = new PreprocessCache(cfg.cacheDir);
  const prep = async (cases: typeof split.train) =>
    preprocessDataset(
      cases.map((c) => ({ image: c.imagePath, label: c.labelPath })),
      { cache, settings: cfg.preprocess, labelMap: cfg.labelMap, onError: "skip" },
    );
  const train = await prep(split.train);
  const val = await prep(split.validation);
  bad.push(...train.failed, ...val.failed);
  if (train.prepared.length === 0)
    throw new Error(`site ${cfg.site}: no usable training case (${bad.length} bad)`);
  const validation: ValidationCase[] = [];
  for (const p of val.prepared) {
    const entry = await readCacheEntry(p.entryPath);
    const image = entry.image!;
    const label = entry.label!;
    validation.push({
      id: p.paths.image,
      image: image.data as Float32Array,
      label: label.data as Uint8Array,
      shape: volumeToEngineShape(image),
    });
  }
  return {
    trainEntries: train.prepared.map((p) => ({ path: p.entryPath, name: p.paths.image })),
    validation,
    bad,
  };
}

/** The site's worker patch loader: `batchSize` volumes x `numSamples` crops per step. */
export function createSitePatchLoader(cfg: SiteTrainingConfig, prepared: PreparedSite): Promise<PatchLoader> {
  return PatchLoader.create({
    entries: prepared.trainEntries,
    augment: cfg.augment,
    batchSize: cfg.training.batchSize * cfg.augment.numSamples,
    seed: cfg.training.seed,
    workers: cfg.training.workers,
  });
}

/** The site's cached training volumes, whole, in engine layout (for BatchNorm recalibration). */
export async function siteTrainingVolumes(prepared: PreparedSite): Promise<RecalibrationVolume[]> {
  const volumes: RecalibrationVolume[] = [];
  for (const e of prepared.trainEntries) {
    const image = (await readCacheEntry(e.path)).image!;
    volumes.push({ image: image.data as Float32Array, shape: volumeToEngineShape(image) });
  }
  return volumes;
}
