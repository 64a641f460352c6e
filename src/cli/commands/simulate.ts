// `segviz simulate --config federation.json`: the coordinator and every site as separate
// processes on this machine, talking gRPC over loopback (the code path of a real deployment),
// each site training the real UNet; the machine's threads are divided among the sites.
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { loadFederationConfig, simulate, UNET_TRAINER_MODULE } from "../../federation/index.js";
import type { Command, OptionValues } from "../command-spec.js";

export const simulateCommand: Command = {
  spec: {
    name: "simulate",
    summary: "a coordinator and N sites as local processes over loopback",
    description: `FEDERATION.json: { "coordinator": { "rounds", "strategy", ... as for segviz server; "sites"
optional (tokens are generated) }, "sites": [{ "site": "site.json" or an inline site config,
"stateDir"?, "neverShare"? }, ...], "threadsPerSite"?, "initSeed"? }. The coordinator listens on
127.0.0.1; the round log goes to coordinator.roundLogFile when set. The machine's threads are
divided among the sites unless threadsPerSite says otherwise.`,
    options: {
      config: { type: "string", value: "FEDERATION.json", required: true, help: "the federation's config" },
      quiet: { type: "boolean", help: "drop the processes' log lines" },
    },
    examples: [
      "segviz simulate --config federation.json",
      "segviz simulate --config federation.json --quiet",
    ],
  },
  run: simulateFederation,
};

async function simulateFederation(values: OptionValues): Promise<number> {
  const config = await loadFederationConfig(values.config as string, () => randomBytes(24).toString("hex"));
  const threads =
    config.threadsPerSite ?? Math.max(1, Math.floor(availableParallelism() / config.sites.length));
  const result = await simulate({
    coordinator: { ...config.coordinator, host: "127.0.0.1" },
    threadsPerSite: threads,
    stdio: values.quiet ? "ignore" : "inherit",
    sites: config.sites.map((s) => ({
      config: s.federation,
      trainer: {
        module: UNET_TRAINER_MODULE,
        options: {
          site: { ...s.site, training: { ...s.site.training, threads } },
          initSeed: config.initSeed,
        },
      },
    })),
  });
  console.log(
    `federation finished: ${result.completedRounds} of ${config.coordinator.rounds} rounds completed`,
  );
  let failed = 0;
  for (const s of result.sites) {
    console.log(
      `  site ${s.siteId}: exit ${s.exitCode}${s.roundsTrained !== undefined ? `, ${s.roundsTrained} rounds trained` : ""}${s.error ? `, error: ${s.error}` : ""}`,
    );
    if (s.exitCode !== 0) failed++;
  }
  return result.completedRounds === config.coordinator.rounds && failed === 0 ? 0 : 1;
}
