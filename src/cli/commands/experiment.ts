// `segviz experiment --config study.json`: the study on the data sets a config names (e.g. the
// paper's MSD, KiTS19 and BTCV setup in configs/segviz-paper.json).
import { parseArgs } from "node:util";
import { loadExperimentConfig } from "../../experiments/config/experiment-config.js";
import { runStudy } from "../../experiments/run-study.js";

const USAGE = `usage: segviz experiment --config STUDY.json [--resume]

Trains every arm the config lists on its sites, evaluates them on its external test set and
writes outDir/report.html and outDir/report.json. --resume reuses arms a previous run finished
(and continues an interrupted federation or central arm from its checkpoint).`;

export async function experimentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string" },
      resume: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.config) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const exp = await loadExperimentConfig(values.config);
  await runStudy(exp, { resume: values.resume === true, command: `segviz experiment ${argv.join(" ")}` });
  console.log(`\nreport: ${exp.outDir}/report.html`);
  return 0;
}
