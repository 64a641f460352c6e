// BatchNorm statistics of each arm's models recomputed for their final weights on training data
// they are allowed to see (recalibrate-batch-norm.ts): a per-site model on its own site's cached
// training volumes (local work, nothing leaves the site); a model trained over every site (the
// central arms, ConDistFL) on all sites' volumes with its window, which in a federation is one
// round of summed statistics. Applied before scoring when evaluation.recalibrateBatchNorm is set.
import type { Predictor } from "../../training/predict/load-predictor.js";
import {
  type RecalibrationVolume,
  recalibrateBatchNorm,
} from "../../training/trainer/recalibrate-batch-norm.js";
import { logEvent } from "../../util/progress.js";
import { experimentSiteVolumes } from "../arms/site-volumes.js";
import type { ExperimentConfig, HuWindow } from "../config/experiment-config.js";

/**
 * Recalibrates every member of an arm in place: member i on site i when the arm has one member per
 * site, else each member on all sites. `siteDirs` gives each site's folder for its split file.
 */
export async function recalibrateArm(
  exp: ExperimentConfig,
  arm: string,
  members: readonly Predictor[],
  siteDirs: readonly string[],
): Promise<void> {
  const [i, j, k] = exp.augment.patchSize;
  const perSite = members.length === exp.sites.length;
  for (const [m, p] of members.entries()) {
    const window: HuWindow = [p.preprocess.window.aMin, p.preprocess.window.aMax];
    const sites = perSite ? [m] : exp.sites.map((_, s) => s);
    const volumes: RecalibrationVolume[] = [];
    for (const s of sites) volumes.push(...(await experimentSiteVolumes(exp, s, window, siteDirs[s]!)));
    const windows = recalibrateBatchNorm(p.model, (x) => p.model.forwardAll(x), volumes, [k, j, i]);
    logEvent({ event: "evaluation.recalibrated", arm, member: m, volumes: volumes.length, windows });
  }
}
