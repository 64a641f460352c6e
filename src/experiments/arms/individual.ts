// The individual arm: every site trains its own model on its own data alone (the study's
// baseline); together their heads cover every organ, one organ per model.
import { join } from "node:path";
import { runSiteTraining } from "../../training/site/run-site-training.js";
import { logEvent } from "../../util/progress.js";
import type { ArmSpec } from "../config/arms.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import { experimentSiteConfig } from "./site-config.js";
import { epochCurve, type TrainedArm } from "./trained-arm.js";

export async function trainIndividualArm(
  exp: ExperimentConfig,
  arm: ArmSpec,
  dir: string,
): Promise<TrainedArm> {
  const t0 = performance.now();
  const members: string[] = [];
  const exports: string[] = [];
  const curves = [];
  for (const site of exp.sites) {
    const siteDir = join(dir, "sites", site.name);
    logEvent({ event: "arm.site", arm: arm.name, site: site.name });
    const cfg = experimentSiteConfig(exp, site, { window: site.window, outDir: siteDir });
    const result = await runSiteTraining(cfg, { resume: true });
    members.push(join(siteDir, "last"));
    exports.push(...result.exports);
    curves.push(await epochCurve(join(siteDir, "metrics.jsonl"), site.name));
  }
  return {
    name: arm.name,
    members,
    exports,
    curves,
    trainSeconds: (performance.now() - t0) / 1000,
    loss: exp.training.loss,
  };
}
