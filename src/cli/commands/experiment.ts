// `segviz experiment --config study.json`: the study on the data sets a config names (e.g. the
// paper's MSD, KiTS19 and BTCV setup in configs/segviz-paper.json).
import { loadExperimentConfig } from "../../experiments/config/experiment-config.js";
import { runStudy } from "../../experiments/run-study.js";
import { parseSeedList, runSeeds } from "../../experiments/seeds/run-seeds.js";
import type { Command, OptionValues } from "../command-spec.js";
import { SERVE_OPTIONS, withStudyViewer } from "../serve-study.js";

export const experimentCommand: Command = {
  spec: {
    name: "experiment",
    summary: "a study from its config, e.g. the paper's data sets",
    description: `Trains every arm the config lists on its sites, evaluates them on its external test set and
writes outDir/report.html and outDir/report.json (configs/segviz-paper.json is the paper's
setup; docs/paper-setup.md says how to run it).

--seeds runs the study once per training seed (initial weights and patch sampling; data and test
set unchanged) in outDir/seed-N, and summarises across seeds in outDir/seeds.json and
outDir/seeds.txt: per arm and organ the mean, spread, min and max over seeds, and a paired
Wilcoxon test against the baseline on per-case Dice averaged over seeds. Here a lone number is
one seed; give a range (1-5) or a list (1,2,3) for several.

Every run writes outDir/experiment.json, the settings as run with every default filled in; give it
back with --config (and --out for a new folder) to run the same study again. The preprocessing
cache it names is shared: entries are keyed by the input files' contents and the settings.

A finished arm keeps its models; its optimiser state and older federation rounds, which only
resuming its training needs, are deleted (--keep-all keeps them).`,
    options: {
      config: { type: "string", value: "STUDY.json", required: true, help: "the study's config" },
      out: { type: "string", value: "DIR", help: "output folder instead of the config's outDir" },
      seeds: { type: "string", value: "LIST", help: "training seeds to sweep, e.g. 1-5 or 1,4,7" },
      resume: {
        type: "boolean",
        help: "reuse arms a previous run finished, continue an interrupted federation or central arm",
      },
      ...SERVE_OPTIONS,
      "keep-all": {
        type: "boolean",
        help: "keep finished arms' optimiser state and older rounds (default: models only)",
      },
    },
    examples: [
      "segviz experiment --config configs/segviz-paper.json",
      "segviz experiment --config configs/diagnosis/quick-curve-40.json --seeds 1-5 --resume",
      "segviz experiment --config segviz-demo/experiment.json --out demo-rerun",
    ],
  },
  run: runExperiment,
};

async function runExperiment(values: OptionValues): Promise<number> {
  const command = `segviz experiment --config ${values.config}${values.out !== undefined ? ` --out ${values.out}` : ""}${values.seeds !== undefined ? ` --seeds ${values.seeds}` : ""}${values.resume ? " --resume" : ""}`;
  const loaded = await loadExperimentConfig(values.config as string);
  const exp = values.out === undefined ? loaded : { ...loaded, outDir: values.out as string };
  if (values.seeds !== undefined) {
    if (values.serve === true)
      throw new Error("--serve shows one study; run the seeds without it and segviz view --study DIR/seed-N");
    await runSeeds(exp, parseSeedList(values.seeds as string), {
      resume: values.resume === true,
      keepAll: values["keep-all"] === true,
      command,
    });
    console.log(`\nseed summary: ${exp.outDir}/seeds.txt (numbers in ${exp.outDir}/seeds.json)`);
    return 0;
  }
  await withStudyViewer(values, exp.outDir, () =>
    runStudy(exp, { resume: values.resume === true, keepAll: values["keep-all"] === true, command }),
  );
  console.log(`\nreport: ${exp.outDir}/report.html`);
  return 0;
}
