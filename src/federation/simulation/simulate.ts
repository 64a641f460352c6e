// `segviz simulate`: a coordinator and N sites as separate processes on one machine over
// loopback, with the machine's threads divided among the sites. It returns what a caller needs of
// the finished federation (outcome.ts), so nobody outside this layer reads its files.

import { availableParallelism } from "node:os";
import { loadCheckpoint } from "../coordinator/checkpoint.js";
import type { CoordinatorConfig } from "../coordinator/config.js";
import { completedRounds, readRoundLog } from "../coordinator/round-log.js";
import type { SiteConfig } from "../site/config.js";
import { QUADRATIC_TRAINER_MODULE, type TrainerSpec } from "./messages.js";
import { type FederationOutcome, readFederationOutcome } from "./outcome.js";
import { forkCoordinator, forkSite } from "./processes.js";

interface SimulationSite {
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
  /** Called with the number of completed rounds as they complete (read from roundLogFile). */
  onRoundCompleted?: (completedRounds: number) => void;
}

interface SimulationResult {
  completedRounds: number;
  /**
   * True when a resumed federation had already finished its last round: nothing was started and
   * the outcome was read from its checkpoint (a coordinator resumed past its last round would
   * have nothing to send). Exit codes are null then.
   */
  alreadyFinished: boolean;
  coordinatorExitCode: number | null;
  sites: { siteId: string; exitCode: number | null; roundsTrained?: number; error?: string }[];
  /**
   * The final shared weights, each site's merged model, the round log and its verification.
   * Present when every round completed and the coordinator checkpoints (checkpointDir) and every
   * site keeps its state on disk (stateDir); otherwise undefined.
   */
  outcome?: FederationOutcome;
}

/** Polls the round log for progress; returns the function that stops it. */
function watchRounds(config: SimulationConfig): () => void {
  const { onRoundCompleted } = config;
  const file = config.coordinator.roundLogFile;
  if (onRoundCompleted === undefined || file === undefined) return () => {};
  let last = -1;
  const poll = () => {
    const n = completedRounds(readRoundLog(file)).length;
    if (n !== last) onRoundCompleted((last = n));
  };
  const timer = setInterval(poll, 2000);
  return () => {
    clearInterval(timer);
    poll();
  };
}

function outcomeReadable(config: SimulationConfig): boolean {
  return (
    config.coordinator.checkpointDir !== undefined &&
    config.sites.every((s) => s.config.stateDir !== undefined)
  );
}

export async function simulate(config: SimulationConfig): Promise<SimulationResult> {
  const { checkpointDir, resume, rounds } = config.coordinator;
  if (resume && checkpointDir !== undefined && loadCheckpoint(checkpointDir)?.round === rounds) {
    return {
      completedRounds: rounds,
      alreadyFinished: true,
      coordinatorExitCode: null,
      sites: config.sites.map((s) => ({ siteId: s.config.siteId, exitCode: null })),
      outcome: outcomeReadable(config) ? await readFederationOutcome(config) : undefined,
    };
  }
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
  const watch = watchRounds(config);
  const finished = await coordinator.finished.finally(watch);
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
  const complete =
    finished.completedRounds === rounds &&
    siteResults.every((s) => s.exitCode === 0) &&
    outcomeReadable(config);
  return {
    completedRounds: finished.completedRounds,
    alreadyFinished: false,
    coordinatorExitCode,
    sites: siteResults,
    outcome: complete ? await readFederationOutcome(config) : undefined,
  };
}
