#!/usr/bin/env node
// The `segviz` command: dispatches to one module per subcommand.
import { benchCommand } from "./commands/bench.js";
import { clientCommand } from "./commands/client.js";
import { demoCommand } from "./commands/demo.js";
import { evaluateCommand } from "./commands/evaluate.js";
import { experimentCommand } from "./commands/experiment.js";
import { infoCommand } from "./commands/info.js";
import { phantomCommand } from "./commands/phantom.js";
import { predictCommand } from "./commands/predict.js";
import { seedSummaryCommand } from "./commands/seed-summary.js";
import { serverCommand } from "./commands/server.js";
import { simulateCommand } from "./commands/simulate.js";
import { trainCommand } from "./commands/train.js";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  demo: {
    run: demoCommand,
    help: "the SegViz study on the built-in phantoms: every arm, report.html (--quick: 4 min)",
  },
  experiment: {
    run: experimentCommand,
    help: "a study from its config (--config study.json), e.g. the paper's data sets",
  },
  bench: { run: benchCommand, help: "bench train-step: our training step vs PyTorch's, as a ratio" },
  info: { run: infoCommand, help: "libtorch build, threads and devices" },
  train: { run: trainCommand, help: "train one site's model from its config (--config site.json)" },
  predict: { run: predictCommand, help: "label maps for NIfTI images from a trained checkpoint" },
  evaluate: { run: evaluateCommand, help: "Dice and HD95 of predictions against ground truth" },
  server: { run: serverCommand, help: "federation coordinator (--config coordinator.json [--resume])" },
  client: { run: clientCommand, help: "one federation site: train locally, share with the coordinator" },
  simulate: { run: simulateCommand, help: "a coordinator and N sites as local processes over loopback" },
  phantom: { run: phantomCommand, help: "phantom federation: write the built-in phantom sites and test set" },
  "seed-summary": {
    run: seedSummaryCommand,
    help: "a finished seed sweep summarised across seeds, against any arm (--dir DIR)",
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.help}`);
  return `usage: segviz <command> [options]\n\ncommands:\n${lines.join("\n")}`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return cmd ? 0 : 2;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`segviz: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  return c.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`segviz: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.SEGVIZ_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = 1;
  },
);
