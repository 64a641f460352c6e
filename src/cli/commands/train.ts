// `segviz train --config site.json [--resume]`: trains one site's model.
import { parseArgs } from "node:util";
import { loadSiteConfig } from "../../training/config/site-config.js";
import { runSiteTraining } from "../../training/site/run-site-training.js";

const USAGE = `usage: segviz train --config SITE.json [--resume]

SITE.json names the site's data (MSD, KiTS19, BTCV, folders or CSV), its label map (a preset such
as MSD_TASK03_LIVER, or ids -> organs), and optionally heads, model, preprocess, augment and
training settings; see README. Checkpoints, metrics.jsonl and MONAI weights go to outDir.`;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: "string" }, resume: { type: "boolean" } },
  });
  if (!values.config) {
    console.error(USAGE);
    return 2;
  }
  const cfg = await loadSiteConfig(values.config);
  const r = await runSiteTraining(cfg, { resume: values.resume ?? false });
  console.log(
    `site ${cfg.site}: ${r.epochs} epochs, best validation mean Dice ${Number.isFinite(r.bestMeanDice) ? r.bestMeanDice.toFixed(4) : "n/a"}; outputs in ${r.outDir}`,
  );
  for (const b of r.bad) console.log(`skipped ${b.file}: ${b.reason}`);
  return 0;
}
