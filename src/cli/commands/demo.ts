// `segviz demo`: the whole SegViz study on the built-in phantom federation, one command.
import { availableParallelism } from "node:os";
import { runDemo, runDemoSeeds } from "../../experiments/demo/run-demo.js";
import { parseSeedList } from "../../experiments/seeds/run-seeds.js";
import type { Command, OptionValues } from "../command-spec.js";
import { intOption } from "../options.js";
import { SERVE_OPTIONS, withStudyViewer } from "../serve-study.js";

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "the SegViz study on the built-in phantoms: every arm, report.html",
    description: `Writes a phantom federation (four sites, each labelling one organ: liver, spleen, pancreas,
kidney, in different scanner styles) and an external test set in BTCV layout, trains every arm
(individual, central, central with marginal + exclusion loss, SegViz with FedAvg, FedBN, FedProx
and FedAdam over gRPC, and ConDistFL), evaluates them on the test set and writes DIR/report.html
and DIR/report.json. About 18 minutes on 2 cores. --quick: a smaller first look (individual,
SegViz FedAvg and ConDistFL on 6 mm volumes and a UNet of half the channels), about 3 minutes.

--profile gpu: the study's crops (128x128x32 at 1.5 x 1.5 x 2 mm), sliding window (160^3) and a
longer budget on the full-resolution phantom, on a CUDA libtorch (README, "GPU"), sized for about
ten minutes on one GPU (not yet run on one); scripts/gpu-demo.sh builds and runs it.

--seed N trains with seed N (initial weights, patch sampling); the phantom stays the same
(--phantom-seed changes it). --seeds 3 (a count: seeds 1-3) or a list such as 1,4,7 runs the
demo once per seed in DIR/seed-N and writes the spread across seeds and a seed-aware comparison
to DIR/seeds.txt: one seed's table is one draw, and at this budget the seed decides much of it.`,
    options: {
      quick: { type: "boolean", help: "the 3-minute first look" },
      profile: {
        type: "string",
        value: "cpu|gpu",
        defaultText: "cpu",
        help: "gpu: the study's scale on one GPU",
      },
      tiny: { type: "boolean", help: "a seconds-long smoke run (what the tests use); learns nothing" },
      out: { type: "string", value: "DIR", defaultText: "segviz-demo", help: "output folder" },
      threads: { type: "string", value: "N", defaultText: "2 (or fewer cores)", help: "CPU threads" },
      seed: { type: "string", value: "N", defaultText: "1", help: "training seed" },
      seeds: { type: "string", value: "N|LIST", help: "run once per seed: a count (1..N) or a list" },
      "phantom-seed": { type: "string", value: "N", defaultText: "1", help: "seed of the phantom data" },
      resume: { type: "boolean", help: "reuse the arms a previous run of the same DIR finished" },
      ...SERVE_OPTIONS,
      "keep-all": {
        type: "boolean",
        help: "keep finished arms' optimiser state and older rounds (default: models only)",
      },
    },
    examples: ["segviz demo", "segviz demo --quick --seeds 3", "segviz demo --out my-demo --resume"],
  },
  run: runDemoCommand,
};

async function runDemoCommand(values: OptionValues): Promise<number> {
  const str = (name: string) => values[name] as string | undefined;
  const argv = Object.entries(values)
    .filter(([k, v]) => v !== undefined && v !== false && k !== "help")
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${v}`));
  const out = str("out") ?? "segviz-demo";
  if (str("profile") !== undefined && str("profile") !== "gpu" && str("profile") !== "cpu")
    throw new Error(`--profile: expected "cpu" or "gpu", got '${str("profile")}'`);
  const scale = str("profile") === "gpu" ? "gpu" : values.tiny ? "tiny" : values.quick ? "quick" : "full";
  const common = {
    threads: intOption(str("threads"), "threads", Math.min(2, availableParallelism()), 1),
    phantomSeed: intOption(str("phantom-seed"), "phantom-seed", 1, 0),
    resume: values.resume === true,
    keepAll: values["keep-all"] === true,
    command: `segviz demo ${argv.join(" ")}`.trim(),
  };
  if (values.seeds !== undefined) {
    if (values.seed !== undefined) throw new Error("--seed and --seeds: give one of them");
    if (values.serve === true)
      throw new Error("--serve shows one study; run the seeds without it and segviz view --study DIR/seed-N");
    // A lone number is a count (seeds 1..N); a list names the seeds.
    const seeds = /^\d+$/.test(str("seeds")!)
      ? parseSeedList(`1-${Math.max(1, Number(str("seeds")))}`)
      : parseSeedList(str("seeds")!);
    const t0 = performance.now();
    await runDemoSeeds(scale, out, seeds, common);
    console.log(
      `\nper seed: ${out}/seed-N/report.html; across seeds: ${out}/seeds.txt (${out}/seeds.json); ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
    );
    return 0;
  }
  const report = await withStudyViewer(values, out, () =>
    runDemo(scale, out, { ...common, seed: intOption(str("seed"), "seed", 1) }),
  );
  console.log(
    `\nreport: ${out}/report.html (numbers in ${out}/report.json); ${report.seconds.total.toFixed(0)} s in all`,
  );
  return 0;
}
