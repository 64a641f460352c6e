// `segviz demo`: the whole SegViz study on the built-in phantom federation, one command.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { runDemo } from "../../experiments/demo/run-demo.js";
import { intOption } from "../options.js";

const USAGE = `usage: segviz demo [--quick] [--out DIR] [--threads N] [--seed N] [--resume]

Writes a phantom federation (four sites, each labelling one organ: liver, spleen, pancreas,
kidney, in different scanner styles) and an external test set in BTCV layout, trains every arm
(individual, central, central with marginal + exclusion loss, SegViz with FedAvg, FedBN, FedProx
and FedAdam over gRPC), evaluates them on the test set and writes DIR/report.html and
DIR/report.json. About 15 minutes on 2 cores; --quick: the study's five arms, smaller, under 3
minutes. --resume reuses the arms a previous run of the same DIR finished. DIR: segviz-demo.`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      tiny: { type: "boolean" },
      out: { type: "string" },
      threads: { type: "string" },
      seed: { type: "string" },
      resume: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const out = values.out ?? "segviz-demo";
  const scale = values.tiny ? "tiny" : values.quick ? "quick" : "full";
  const report = await runDemo(scale, out, {
    threads: intOption(values.threads, "threads", Math.min(2, availableParallelism()), 1),
    seed: intOption(values.seed, "seed", 1),
    resume: values.resume === true,
    command: `segviz demo ${argv.join(" ")}`.trim(),
  });
  console.log(
    `\nreport: ${out}/report.html (numbers in ${out}/report.json); ${report.seconds.total.toFixed(0)} s in all`,
  );
  return 0;
}
