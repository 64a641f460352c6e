// The command table of `segviz`: every command and subcommand, in the order help lists them.
import type { CommandEntry } from "../command-spec.js";
import { benchCommand } from "./bench.js";
import { clientCommand } from "./client.js";
import { demoCommand } from "./demo.js";
import { evaluateCommand } from "./evaluate.js";
import { experimentCommand } from "./experiment.js";
import { exportCommand } from "./export.js";
import { infoCommand } from "./info.js";
import { phantomCommand } from "./phantom.js";
import { predictCommand } from "./predict.js";
import { seedSummaryCommand } from "./seed-summary.js";
import { serverCommand } from "./server.js";
import { simulateCommand } from "./simulate.js";
import { trainCommand } from "./train.js";
import { viewCommand } from "./view.js";

export const COMMANDS: Record<string, CommandEntry> = {
  demo: demoCommand,
  experiment: experimentCommand,
  "seed-summary": seedSummaryCommand,
  phantom: phantomCommand,
  train: trainCommand,
  predict: predictCommand,
  export: exportCommand,
  view: viewCommand,
  evaluate: evaluateCommand,
  server: serverCommand,
  client: clientCommand,
  simulate: simulateCommand,
  bench: benchCommand,
  info: infoCommand,
};
