// `segviz simulate`: a coordinator and N sites as separate processes on one machine over
// loopback, with the machine's threads divided among the sites.

import { availableParallelism } from "node:os";
import type { CoordinatorConfig } from "../coordinator/config.js";
import type { SiteConfig } from "../site/config.js";
import { QUADRATIC_TRAINER_MODULE, type TrainerSpec } from "./messages.js";
import { forkCoordinator, forkSite } from "./processes.js";

export interface SimulationSite {
  config: Omit<SiteConfig, "coordinator">;
  /** Defaults to the quadratic test trainer with this site's index as seed. */
  trainer?: TrainerSpec;
}

export interface SimulationConfig {
  coordinator: CoordinatorConfig;
  sites: SimulationSite[];
  threadsPerSite?: number;
  /** Child processes' stderr (their JSON logs): inherited, or dropped. */
  stdio?: "inherit" | "ignore";
}

export interface SimulationResult {
  completedRounds: number;
  coordinatorExitCode: number | null;
  sites: { siteId: string; exitCode: number | null; roundsTrained?: number; error?: string }[];
}

export async function simulate(config: SimulationConfig): Promise<SimulationResult> {
  const host = config.coordinator.host ?? "127.0.0.1";
  const threads =
    config.threadsPerSite ??
    Math.max(1, Math.floor(availableParallelism() / Math.max(1, config.sites.length)));
  const coordinator = forkCoordinator({ ...config.coordinator, host }, { stdio: config.stdio });
  const { port } = await coordinator.listening;
  const sites = config.sites.map((s, index) =>
    forkSite(
      { ...s.config, coordinator: `${host}:${port}` },
      s.trainer ?? { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: index + 1 } },
      { threads, stdio: config.stdio },
    ),
  );
  const finished = await coordinator.finished;
  const coordinatorExitCode = await coordinator.exit;
  const siteResults = await Promise.all(
    sites.map(async (s, i) => {
      const last = await s.finished;
      return {
        siteId: config.sites[i].config.siteId,
        exitCode: await s.exit,
        roundsTrained: last?.type === "done" ? last.roundsTrained : undefined,
        error: last?.type === "failed" ? last.error : undefined,
      };
    }),
  );
  if (finished?.type !== "done") {
    throw new Error(
      `simulation: coordinator ${finished?.type === "failed" ? `failed: ${finished.error}` : `exited with ${coordinatorExitCode}`}`,
    );
  }
  return { completedRounds: finished.completedRounds, coordinatorExitCode, sites: siteResults };
}
