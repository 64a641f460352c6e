// From a site config to what the trainer consumes: cases listed and split (seeded, saved),
// preprocessed through the on-disk cache with the site's label map, patch entries for the worker
// loader and whole validation volumes. Bad cases stop the site, each named (onBadCase "fail"), or
// are left out and recorded (onBadCase "skip").
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PreprocessCache, readCacheEntry } from "../../data/cache/index.js";
import { listCases } from "../../data/datasets/list-cases.js";
import { type SkippedCase, splitCases } from "../../data/datasets/split.js";
import { patchPlacement } from "../../data/pipeline/augment-settings.js";
import { DevicePatchLoader } from "../../data/pipeline/device-patch-loader.js";
import { type PatchEntry, PatchLoader } from "../../data/pipeline/patch-loader.js";
import type { PatchSource } from "../../data/pipeline/patch-source.js";
import { preprocessDataset } from "../../data/pipeline/preprocess-dataset.js";
import type { Volume } from "../../data/volume.js";
import { writeFileAtomic } from "../../util/file-writes.js";
import { logEvent } from "../../util/progress.js";
import type { SiteTrainingConfig } from "../config/site-config.js";
import type { RecalibrationVolume } from "../trainer/recalibrate-batch-norm.js";
import type { ValidationCase } from "../trainer/types.js";

export interface PreparedSite {
  trainEntries: PatchEntry[];
  validation: ValidationCase[];
  /** Cases left out (onBadCase "skip"): also in split.json's skipped list and skipped.json. */
  skipped: SkippedCase[];
}

/** A cached volume (i fastest) as engine-layout data: row-major [k, j, i]. */
export function volumeToEngineShape(v: Volume): [number, number, number] {
  const [i, j, k] = v.shape;
  return [k!, j!, i!];
}

export async function prepareSite(cfg: SiteTrainingConfig): Promise<PreparedSite> {
  const listed = await listCases(cfg.data, { requireLabels: true, onBadCase: "skip" });
  const skipped: SkippedCase[] = listed.bad.map((b) => ({ ...b, stage: "listing" }));
  // Every listed case is read and preprocessed before anything is decided, so a "fail" names all
  // bad cases at once and leaves no split file behind.
  const idOf = new Map(listed.cases.map((c) => [c.imagePath, c.id]));
  const { prepared, failed } = await preprocessDataset(
    listed.cases.map((c) => ({ image: c.imagePath, label: c.labelPath })),
    {
      cache: new PreprocessCache(cfg.cacheDir),
      settings: cfg.preprocess,
      labelMap: cfg.labelMap,
      onError: "skip",
    },
  );
  for (const f of failed)
    skipped.push({ id: idOf.get(f.paths.image)!, file: f.file, reason: f.reason, stage: "preprocessing" });
  failOnBadCases(cfg, skipped);
  // The split is over the listed cases, whatever preprocessing made of them: a case that failed
  // keeps its side, recorded, and comes back to it once its files are fixed.
  const splitFile = join(cfg.outDir, "split.json");
  const split = await splitCases(listed.cases, {
    file: splitFile,
    seed: cfg.training.seed,
    validationFraction: cfg.training.validationFraction,
    skipped,
  });
  const byImage = new Map(prepared.map((p) => [p.paths.image, p]));
  const usable = (cases: typeof split.train) => cases.flatMap((c) => byImage.get(c.imagePath) ?? []);
  const train = usable(split.train);
  const val = usable(split.validation);
  // What was left out is written down before anything trains: in the split, next to the outputs,
  // and in the site's log line.
  await writeSkippedFile(cfg, listed.cases.length + listed.bad.length, skipped);
  logEvent({
    event: "site.cases",
    site: cfg.site,
    listed: listed.cases.length + listed.bad.length,
    train: train.length,
    validation: val.length,
    skipped: skipped.length,
    splitReused: split.reused,
  });
  if (train.length === 0)
    throw new Error(
      `site ${cfg.site}: no usable training case (${skipped.length} skipped; see ${skippedFile(cfg)})`,
    );
  const validation: ValidationCase[] = [];
  for (const p of val) {
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
    trainEntries: train.map((p) => ({ path: p.entryPath, name: p.paths.image })),
    validation,
    skipped,
  };
}

/** With onBadCase "fail", any bad case stops the site, every one of them named. */
function failOnBadCases(cfg: SiteTrainingConfig, bad: readonly SkippedCase[]): void {
  if (cfg.onBadCase !== "fail" || bad.length === 0) return;
  const lines = bad.map((b) => `  ${b.file}: ${b.reason}`).join("\n");
  throw new Error(
    `site ${cfg.site}: ${bad.length} bad case(s); onBadCase is "fail" (set "skip" in the site config to train without them):\n${lines}`,
  );
}

export function skippedFile(cfg: SiteTrainingConfig): string {
  return join(cfg.outDir, "skipped.json");
}

/** skipped.json: what this site left out and why (an empty list says nothing was). */
async function writeSkippedFile(cfg: SiteTrainingConfig, listed: number, skipped: readonly SkippedCase[]) {
  await mkdir(cfg.outDir, { recursive: true });
  const path = skippedFile(cfg);
  await writeFileAtomic(path, `${JSON.stringify({ site: cfg.site, listed, skipped }, null, 2)}\n`);
}

/**
 * The site's patch source, `batchSize` volumes x `numSamples` crops per step: worker threads, or
 * the training device (augment.placement).
 */
export function createSitePatchLoader(cfg: SiteTrainingConfig, prepared: PreparedSite): Promise<PatchSource> {
  const common = {
    entries: prepared.trainEntries,
    augment: cfg.augment,
    batchSize: cfg.training.batchSize * cfg.augment.numSamples,
    seed: cfg.training.seed,
  };
  return patchPlacement(cfg.augment, cfg.training.device) === "device"
    ? DevicePatchLoader.create({ ...common, device: cfg.training.device })
    : PatchLoader.create({ ...common, workers: cfg.training.workers });
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
