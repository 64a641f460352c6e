// The central arms: one model with one multi-class head (background + every organ) trained on the
// pooled data of all sites, all windowed with the central HU window. "naive" counts the organs a
// site did not annotate as background (the study's central baseline); "marginal-exclusion" uses
// Shi et al.'s losses, which treat them as unknown. Steps take their batches from the sites in
// turn, so each batch comes from one site and carries the organs it annotated.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PatchSource } from "../../data/pipeline/patch-source.js";
import { setNumThreads } from "../../engine/index.js";
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import { createSitePatchLoader, prepareSite, siteTrainingVolumes } from "../../training/site/prepare-site.js";
import {
  createStartingSiteModel,
  saveMonaiHead,
  siteTrainerOptions,
  toEngineOrder,
} from "../../training/site/run-site-training.js";
import { recalibrateBatchNorm } from "../../training/trainer/recalibrate-batch-norm.js";
import { Trainer } from "../../training/trainer/trainer.js";
import type { TrainingBatch } from "../../training/trainer/types.js";
import type { ArmSpec } from "../config/arms.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import { experimentSiteConfig } from "./site-config.js";
import { epochCurve, type TrainedArm } from "./trained-arm.js";

const CENTRAL_TASK = "central";

/** One epoch of every site's loader, a batch from each site in turn until all are exhausted. */
export async function* interleaveSites(
  loaders: readonly PatchSource[],
  annotated: readonly (readonly string[])[],
  epoch: number,
): AsyncGenerator<TrainingBatch> {
  const iterators = loaders.map((l) => l.epoch(epoch)[Symbol.asyncIterator]());
  const live = iterators.map(() => true);
  while (live.some(Boolean)) {
    for (let s = 0; s < iterators.length; s++) {
      if (!live[s]) continue;
      const next = await iterators[s]!.next();
      if (next.done) live[s] = false;
      else yield { ...next.value, annotated: annotated[s] };
    }
  }
}

export async function trainCentralArm(exp: ExperimentConfig, arm: ArmSpec, dir: string): Promise<TrainedArm> {
  const t0 = performance.now();
  setNumThreads(exp.threads);
  const configs = exp.sites.map((site) =>
    experimentSiteConfig(exp, site, { window: exp.centralWindow, outDir: join(dir, "sites", site.name) }),
  );
  // The central model is a "site" of its own: the pooled data's window, one head over every organ.
  const central: SiteTrainingConfig = {
    ...configs[0]!,
    site: arm.name,
    heads: [{ task: CENTRAL_TASK, organs: [...exp.organs] }],
    outDir: dir,
  };
  const naive = arm.centralLoss !== "marginal-exclusion";
  const loss = naive ? exp.training.loss : "marginal-exclusion";
  const model = await createStartingSiteModel(central, exp.seed);
  const trainer = new Trainer(model, {
    ...siteTrainerOptions(central, { outDir: dir, progress: true }),
    loss,
    lambdaExclusion: arm.lambdaExclusion,
  });
  const loaders: PatchSource[] = [];
  try {
    for (const cfg of configs) loaders.push(await createSitePatchLoader(cfg, await prepareSite(cfg)));
    // The naive arm is told nothing about partial labels: every batch counts as fully annotated.
    const annotated = exp.sites.map((s) => (naive ? exp.organs : s.organs));
    const last = join(dir, "last");
    if (existsSync(join(last, "trainer.json"))) await trainer.resume(last);
    await trainer.fit({ batches: (e) => interleaveSites(loaders, annotated, e) }, exp.training.epochs);
    if (exp.training.recalibrateBatchNorm) {
      // The central model saw every site's data: its statistics are measured on all of it.
      const volumes = [];
      for (const cfg of configs) volumes.push(...(await siteTrainingVolumes(await prepareSite(cfg))));
      recalibrateBatchNorm(model, (x) => model.forwardAll(x), volumes, toEngineOrder(exp.augment.patchSize));
      await trainer.saveCheckpoint(last);
    }
    return {
      name: arm.name,
      members: [last],
      exports: [await saveMonaiHead(dir, model, central.heads[0]!, exp.model)],
      curves: [await epochCurve(join(dir, "metrics.jsonl"), CENTRAL_TASK)],
      trainSeconds: (performance.now() - t0) / 1000,
      loss,
    };
  } finally {
    for (const l of loaders) await l.close();
    trainer.dispose();
    model.dispose();
  }
}
