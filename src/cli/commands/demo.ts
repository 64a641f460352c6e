// `segviz demo`: the whole SegViz study on the built-in phantom federation, one command.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runDemo, runDemoSeeds } from "../../experiments/demo/run-demo.js";
import { parseSeedList } from "../../experiments/seeds/run-seeds.js";
import { intOption } from "../options.js";

const USAGE = `usage: segviz demo [--quick | --profile gpu] [--out DIR] [--threads N] [--seed N | --seeds N|LIST] [--phantom-seed N] [--resume]

Writes a phantom federation (four sites, each labelling one organ: liver, spleen, pancreas,
kidney, in different scanner styles) and an external test set in BTCV layout, trains every arm
(individual, central, central with marginal + exclusion loss, SegViz with FedAvg, FedBN, FedProx
and FedAdam over gRPC, and ConDistFL), evaluates them on the test set and writes DIR/report.html
and DIR/report.json. About 18 minutes on 2 cores. --quick: a smaller first look (individual,
SegViz FedAvg and ConDistFL on smaller volumes and a smaller UNet), under 4 minutes.

--profile gpu: the study's crops (128x128x32 at 1.5 x 1.5 x 2 mm), sliding window (160^3) and a
longer budget on the full-resolution phantom, on a CUDA libtorch (see the README), sized for about
ten minutes on one GPU; scripts/gpu-demo.sh builds and runs it and prints the table.

--seed N trains with seed N (initial weights, patch sampling); the phantom stays the same
(--phantom-seed N changes it). --seeds 3 (or a list such as 1,4,7) runs the demo once per seed
in DIR/seed-N and writes the spread across seeds and a seed-aware comparison to DIR/seeds.txt:
one seed's table is one draw, and at this budget the seed decides much of it.
--resume reuses the arms a previous run of the same DIR finished. DIR: segviz-demo.`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      profile: { type: "string" },
      tiny: { type: "boolean" },
      out: { type: "string" },
      threads: { type: "string" },
      seed: { type: "string" },
      seeds: { type: "string" },
      "phantom-seed": { type: "string" },
      resume: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const out = values.out ?? "segviz-demo";
  if (values.profile !== undefined && values.profile !== "gpu" && values.profile !== "cpu")
    throw new Error(`--profile: expected "cpu" or "gpu", got '${values.profile}'`);
  const scale = values.profile === "gpu" ? "gpu" : values.tiny ? "tiny" : values.quick ? "quick" : "full";
  const common = {
    threads: intOption(values.threads, "threads", Math.min(2, availableParallelism()), 1),
    phantomSeed: intOption(values["phantom-seed"], "phantom-seed", 1, 0),
    resume: values.resume === true,
    command: `segviz demo ${argv.join(" ")}`.trim(),
  };
  if (values.seeds !== undefined) {
    if (values.seed !== undefined) throw new Error("--seed and --seeds: give one of them");
    // A lone number is a count (seeds 1..N); a list names the seeds.
    const seeds = /^\d+$/.test(values.seeds)
      ? parseSeedList(`1-${Math.max(1, Number(values.seeds))}`)
      : parseSeedList(values.seeds);
    const t0 = performance.now();
    await runDemoSeeds(scale, out, seeds, common);
    console.log(
      `\nper seed: ${out}/seed-N/report.html; across seeds: ${out}/seeds.txt (${out}/seeds.json); ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
    );
    return 0;
  }
  const report = await runDemo(scale, out, { ...common, seed: intOption(values.seed, "seed", 1) });
  console.log(
    `\nreport: ${out}/report.html (numbers in ${out}/report.json); ${report.seconds.total.toFixed(0)} s in all`,
  );
  return 0;
}
