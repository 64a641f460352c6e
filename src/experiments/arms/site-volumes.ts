// An experiment site's cached training volumes under a given HU window, for BatchNorm
// recalibration after training (or before scoring).
import { type PreparedSite, prepareSite, siteTrainingVolumes } from "../../training/site/prepare-site.js";
import type { RecalibrationVolume } from "../../training/trainer/recalibrate-batch-norm.js";
import type { ExperimentConfig, HuWindow } from "../config/experiment-config.js";
import { experimentSiteConfig } from "./site-config.js";

/** An experiment site's data prepared under `window`; `outDir` is its folder in the arm (split file). */
export async function prepareExperimentSite(
  exp: ExperimentConfig,
  siteIndex: number,
  window: HuWindow,
  outDir: string,
): Promise<PreparedSite> {
  const site = exp.sites[siteIndex];
  if (site === undefined) throw new Error(`experiment: no site ${siteIndex}`);
  return prepareSite(experimentSiteConfig(exp, site, { window, outDir }));
}

/** The site's cached training volumes under `window` (see prepareExperimentSite). */
export async function experimentSiteVolumes(
  exp: ExperimentConfig,
  siteIndex: number,
  window: HuWindow,
  outDir: string,
): Promise<RecalibrationVolume[]> {
  return siteTrainingVolumes(await prepareExperimentSite(exp, siteIndex, window, outDir));
}
