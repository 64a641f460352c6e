// `segviz train --config site.json [--resume]`: trains one site's model.
import { loadSiteConfig } from "../../training/config/site-config.js";
import { runSiteTraining } from "../../training/site/run-site-training.js";
import type { Command } from "../command-spec.js";

export const trainCommand: Command = {
  spec: {
    name: "train",
    summary: "train one site's model from its config",
    description: `SITE.json names the site's data (MSD, KiTS19, BTCV, folders or CSV), its label map (a
preset such as MSD_TASK03_LIVER, or ids -> organs), and optionally heads, model, preprocess,
augment and training settings (docs/data-formats.md, README "Configuration"). Checkpoints
(best/, last/), metrics.jsonl and the MONAI-loadable weights go to the config's outDir.`,
    options: {
      config: { type: "string", value: "SITE.json", required: true, help: "the site's config file" },
      resume: { type: "boolean", help: "continue from outDir/last/ instead of starting over" },
    },
    examples: ["segviz train --config configs/site-liver.json", "segviz train --config site.json --resume"],
  },
  async run(values) {
    const cfg = await loadSiteConfig(values.config as string);
    const r = await runSiteTraining(cfg, { resume: values.resume === true });
    console.log(
      `site ${cfg.site}: ${r.epochs} epochs, best validation mean Dice ${Number.isFinite(r.bestMeanDice) ? r.bestMeanDice.toFixed(4) : "n/a"}; outputs in ${r.outDir}`,
    );
    if (r.skipped.length > 0) {
      console.log(
        `${r.skipped.length} case(s) skipped (onBadCase "skip"; listed in ${r.outDir}/skipped.json):`,
      );
      for (const b of r.skipped) console.log(`  ${b.id}: ${b.file}: ${b.reason}`);
    }
    return 0;
  },
};
