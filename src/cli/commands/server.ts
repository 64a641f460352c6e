// `segviz server --config coordinator.json [--resume]`: the federation's coordinator.
import { parseArgs } from "node:util";
import { loadCoordinatorConfig, runCoordinator } from "../../federation/index.js";

const USAGE = `usage: segviz server --config COORDINATOR.json [--resume]

COORDINATOR.json: rounds, strategy ({ "name": "segviz" | "fedavg" | "fedbn" | "fedprox" |
"fedadam" | "fedyogi", ... }), sites ([{ "id", "token" | "tokenSha256", "revoked"? }]) and
optionally host, port, tls, minSitesToStart, minSitesToClose, roundTimeoutMs, evaluateEvery,
checkpointDir, roundLogFile, logFile, status ({ "port" }); see README. --resume continues from
the checkpoint in checkpointDir (the last completed round).`;

export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: "string" }, resume: { type: "boolean" } },
  });
  if (!values.config) {
    console.error(USAGE);
    return 2;
  }
  const config = await loadCoordinatorConfig(values.config);
  if (values.resume === true && config.checkpointDir === undefined)
    throw new Error(`${values.config}: --resume needs checkpointDir in the config`);
  const result = await runCoordinator({
    ...config,
    resume: values.resume === true || config.resume === true,
  });
  console.log(`federation finished: ${result.completedRounds} of ${config.rounds} rounds completed`);
  return 0;
}
