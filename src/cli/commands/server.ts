// `segviz server --config coordinator.json [--resume]`: the federation's coordinator.
import { loadCoordinatorConfig, runCoordinator } from "../../federation/index.js";
import type { Command } from "../command-spec.js";

export const serverCommand: Command = {
  spec: {
    name: "server",
    summary: "federation coordinator",
    description: `COORDINATOR.json: rounds, strategy ({ "name": "segviz" | "fedavg" | "fedbn" | "fedprox" |
"fedadam" | "fedyogi" | "fedmedian" | "fedtrimmedavg" | "krum", ... }), sites ([{ "id", "token" | "tokenSha256", "revoked"? }]),
the starting point: initialModel ({ "model"?, "heads", "seed"? }: the UNet the coordinator draws) or
initialWeightsFile (safetensors), and optionally host, port, tls, minSitesToStart, minSitesToClose, roundTimeoutMs, maxRoundAttempts,
waitForSitesTimeoutMs, evaluateEvery, maxUpdateNorm, relativeUpdateNormBound,
chunkBytes, allowInsecure, maxUnauthenticatedConnections, helloTimeoutMs,
federationId, checkpointDir, roundLogFile, logFile, status ({ "port" }). Every field, its
default and the security model: docs/federation.md.`,
    options: {
      config: { type: "string", value: "COORDINATOR.json", required: true, help: "the coordinator's config" },
      resume: {
        type: "boolean",
        help: "continue from the checkpoint in the config's checkpointDir (the last completed round)",
      },
    },
    examples: ["segviz server --config coordinator.json", "segviz server --config coordinator.json --resume"],
  },
  async run(values) {
    const file = values.config as string;
    const config = await loadCoordinatorConfig(file);
    if (values.resume === true && config.checkpointDir === undefined)
      throw new Error(`${file}: --resume needs checkpointDir in the config`);
    const result = await runCoordinator({
      ...config,
      resume: values.resume === true || config.resume === true,
    });
    console.log(`federation finished: ${result.completedRounds} of ${config.rounds} rounds completed`);
    return 0;
  },
};
