// `segviz experiment --config study.json`: the study on the data sets a config names (e.g. the
// paper's MSD, KiTS19 and BTCV setup in configs/segviz-paper.json).
import { parseArgs } from "node:util";
import { loadExperimentConfig } from "../../experiments/config/experiment-config.js";
import { runStudy } from "../../experiments/run-study.js";
import { parseSeedList, runSeeds } from "../../experiments/seeds/run-seeds.js";

const USAGE = `usage: segviz experiment --config STUDY.json [--seeds LIST] [--resume]

Trains every arm the config lists on its sites, evaluates them on its external test set and
writes outDir/report.html and outDir/report.json. --resume reuses arms a previous run finished
(and continues an interrupted federation or central arm from its checkpoint).

--seeds 1-5 (or 1,2,3) runs the study once per training seed (initial weights and patch
sampling; data and test set unchanged) in outDir/seed-N, and summarises across seeds in
outDir/seeds.json and outDir/seeds.txt: per arm and organ the mean, spread, min and max over
seeds, and a paired Wilcoxon test against the baseline on per-case Dice averaged over seeds.`;

export async function experimentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string" },
      resume: { type: "boolean" },
      seeds: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.config) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const exp = await loadExperimentConfig(values.config);
  if (values.seeds !== undefined) {
    await runSeeds(exp, parseSeedList(values.seeds), {
      resume: values.resume === true,
      command: `segviz experiment ${argv.join(" ")}`,
    });
    console.log(`\nseed summary: ${exp.outDir}/seeds.txt (numbers in ${exp.outDir}/seeds.json)`);
    return 0;
  }
  await runStudy(exp, { resume: values.resume === true, command: `segviz experiment ${argv.join(" ")}` });
  console.log(`\nreport: ${exp.outDir}/report.html`);
  return 0;
}
