// An experiment site's cached training volumes under a given HU window, for BatchNorm
// recalibration after training (or before scoring).
import { prepareSite, siteTrainingVolumes } from "../../training/site/prepare-site.js";
import type { RecalibrationVolume } from "../../training/trainer/recalibrate-batch-norm.js";
import type { ExperimentConfig, HuWindow } from "../config/experiment-config.js";
import { experimentSiteConfig } from "./site-config.js";

/** `outDir` is the site's folder in the arm (its split file lives there). */
export async function experimentSiteVolumes(
  exp: ExperimentConfig,
  siteIndex: number,
  window: HuWindow,
  outDir: string,
): Promise<RecalibrationVolume[]> {
  const site = exp.sites[siteIndex];
  if (site === undefined) throw new Error(`experiment: no site ${siteIndex}`);
  return siteTrainingVolumes(await prepareSite(experimentSiteConfig(exp, site, { window, outDir })));
}
