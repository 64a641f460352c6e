// An experiment site as the training layer's SiteTrainingConfig: its data and label map, one head for the
// organs it annotates, the experiment's model, preprocessing with the given HU window, and the
// budget every arm shares. All cases train (the external test set is the only evaluation), so
// every arm is judged by its final weights under the same rule.
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import type { ExperimentConfig, ExperimentSite, HuWindow } from "../config/experiment-config.js";

/** The head name of a site: its organs, joined ("liver", or "liver-spleen"). */
function siteTask(site: ExperimentSite): string {
  return site.organs.join("-");
}

export function experimentSiteConfig(
  exp: ExperimentConfig,
  site: ExperimentSite,
  o: { window: HuWindow; outDir: string; threads?: number },
): SiteTrainingConfig {
  const t = exp.training;
  return {
    site: site.name,
    data: site.data,
    labelMap: site.labelMap,
    heads: [{ task: siteTask(site), organs: site.organs }],
    model: exp.model,
    preprocess: { ...exp.preprocess, window: { aMin: o.window[0], aMax: o.window[1] } },
    augment: exp.augment,
    training: {
      epochs: t.epochs,
      batchSize: t.batchSize,
      lr: t.lr,
      schedule: t.schedule,
      loss: t.loss,
      seed: exp.seed,
      threads: o.threads ?? exp.threads,
      workers: t.workers,
      validationFraction: 0,
      validateEvery: t.epochs,
      roi: exp.inference.roi,
      overlap: exp.inference.overlap,
      swBatchSize: exp.inference.swBatchSize,
      device: exp.device,
      precision: t.precision,
      recalibrateBatchNorm: t.recalibrateBatchNorm,
    },
    outDir: o.outDir,
    cacheDir: exp.cacheDir,
    onBadCase: exp.onBadCase,
    ...(exp.initialWeights !== undefined && { initialWeights: exp.initialWeights }),
  };
}
