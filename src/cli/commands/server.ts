// `segviz server --config coordinator.json [--resume]`: the federation's coordinator.
import { loadCoordinatorConfig, startCoordinator } from "../../federation/index.js";
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
chunkBytes, concurrentUploads, transfer ({ "dtype": "float16" | "bfloat16" }), allowInsecure, maxUnauthenticatedConnections, helloTimeoutMs,
federationId, checkpointDir, roundLogFile, logFile, status ({ "port" }), duplicateConnection. Every
field, its default and the security model: docs/federation.md. SIGHUP re-reads the file's sites:
revoked or removed sites are disconnected, new ones may join.`,
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
    const handle = await startCoordinator({
      ...config,
      resume: values.resume === true || config.resume === true,
    });
    // SIGHUP re-reads the file's site list: revocations and new sites without a restart. A file
    // that does not parse changes nothing (the reason is printed).
    const reload = () => {
      loadCoordinatorConfig(file)
        .then((next) => {
          const change = handle.reloadSites(next.sites);
          console.error(
            `${file}: sites reloaded (added: ${change.added.join(", ") || "none"}; revoked: ${change.revoked.join(", ") || "none"}; removed: ${change.removed.join(", ") || "none"})`,
          );
        })
        .catch((e: Error) => console.error(`${file}: sites not reloaded: ${e.message}`));
    };
    process.on("SIGHUP", reload);
    try {
      const result = await handle.done;
      console.log(`federation finished: ${result.completedRounds} of ${config.rounds} rounds completed`);
    } finally {
      process.off("SIGHUP", reload);
    }
    return 0;
  },
};
