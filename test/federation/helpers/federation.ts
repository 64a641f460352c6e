// Helpers to run a federation in this process over loopback, and to compute what it should
// produce without any network (the reference the network run must match bit for bit).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CoordinatorConfig } from "../../../src/federation/coordinator/config.js";
import { startCoordinator } from "../../../src/federation/coordinator/coordinator.js";
import { type Logger, MemoryLogger } from "../../../src/federation/logging/json-logger.js";
import {
  QUADRATIC_INITIAL_MODEL,
  QUADRATIC_TRAINER_MODULE,
} from "../../../src/federation/simulation/messages.js";
import { forkSite } from "../../../src/federation/simulation/processes.js";
import { simulate } from "../../../src/federation/simulation/simulate.js";
import type { SiteConfig } from "../../../src/federation/site/config.js";
import { mergeGlobal } from "../../../src/federation/site/merge-weights.js";
import { runSite } from "../../../src/federation/site/site-client.js";
import type { SiteTrainer } from "../../../src/federation/site/site-trainer.js";
import type { StrategyConfig } from "../../../src/federation/strategies/config.js";
import { createStrategy } from "../../../src/federation/strategies/registry.js";
import type { WeightSet } from "../../../src/federation/weights/weight-set.js";

export const LOOPBACK = "127.0.0.1";

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `segviz-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A one-round SegViz coordinator on loopback for site "a", starting from the quadratic test
 * model; `extra` overrides any field (initialModel: undefined removes the starting point).
 */
export function quadraticCoordinator(extra: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  return {
    host: LOOPBACK,
    port: 0,
    rounds: 1,
    strategy: { name: "segviz" },
    sites: tokens(["a"]),
    initialModel: QUADRATIC_INITIAL_MODEL,
    ...extra,
  };
}

/** A coordinator's round log and log file in `dir`. */
export function logsIn(dir: string): { roundLogFile: string; logFile: string } {
  return { roundLogFile: join(dir, "rounds.jsonl"), logFile: join(dir, "coordinator.log") };
}

/** Quadratic test site k (siteSeed k + 1) as a process dialling a coordinator on loopback. */
export function forkQuadraticSite(
  port: number,
  siteId: string,
  k: number,
  extra: Record<string, unknown> = {},
) {
  return forkSite(
    {
      siteId,
      coordinator: `${LOOPBACK}:${port}`,
      token: `token-${siteId}`,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    },
    { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: k + 1, ...extra } },
    { stdio: "ignore" },
  );
}

/**
 * Two rounds of SegViz over quadratic sites as processes (all needed to start), checkpointed and
 * logged under `dir`; site k trains with siteSeed k + 1 and whatever `siteOptions` adds.
 */
export async function simulateQuadratic(
  dir: string,
  ids: string[],
  o: { minSitesToClose: number; siteOptions?: (id: string, k: number) => Record<string, unknown> },
) {
  const checkpointDir = join(dir, "coordinator");
  const roundLogFile = join(dir, "rounds.jsonl");
  const result = await simulate({
    coordinator: {
      rounds: 2,
      strategy: { name: "segviz" },
      sites: tokens(ids),
      initialModel: QUADRATIC_INITIAL_MODEL,
      minSitesToStart: ids.length,
      minSitesToClose: o.minSitesToClose,
      checkpointDir,
      roundLogFile,
    },
    sites: ids.map((siteId, k) => ({
      config: { siteId, token: `token-${siteId}` },
      trainer: {
        module: QUADRATIC_TRAINER_MODULE,
        options: { siteSeed: k + 1, ...o.siteOptions?.(siteId, k) },
      },
    })),
    stdio: "ignore",
  });
  return { result, checkpointDir, roundLogFile };
}

export function tokens(ids: string[]) {
  return ids.map((id) => ({ id, token: `token-${id}` }));
}

export async function runInProcess(
  config: Omit<CoordinatorConfig, "sites"> & { sites?: CoordinatorConfig["sites"] },
  sites: { id: string; trainer: SiteTrainer; config?: Partial<SiteConfig> }[],
  logger: Logger = new MemoryLogger(),
) {
  const handle = await startCoordinator(
    {
      host: LOOPBACK,
      port: 0,
      sites: tokens(sites.map((s) => s.id)),
      initialModel: QUADRATIC_INITIAL_MODEL,
      ...config,
    } as CoordinatorConfig,
    logger,
  );
  const siteRuns = sites.map((s) =>
    runSite(
      { siteId: s.id, coordinator: `${LOOPBACK}:${handle.port}`, token: `token-${s.id}`, ...s.config },
      s.trainer,
      new MemoryLogger(),
    ),
  );
  for (const p of siteRuns) p.catch(() => {});
  return { handle, siteRuns };
}

/** The federation computed directly: the same trainers, the same strategy, no network. */
export async function referenceFederation(
  strategyConfig: StrategyConfig,
  rounds: number,
  sites: { id: string; trainer: SiteTrainer }[],
  /** Filled with each site's whole final weights, in the order of `sites`. */
  finalSiteWeights?: Map<string, WeightSet>,
): Promise<WeightSet> {
  const strategy = createStrategy(strategyConfig);
  const ordered = [...sites].sort((a, b) => (a.id < b.id ? -1 : 1));
  const full = await Promise.all(ordered.map((s) => s.trainer.initialWeights()));
  let global = strategy.sharing.shared(full[0]);
  for (let round = 1; round <= rounds; round++) {
    const plan = strategy.configureRound(round);
    const updates = [];
    for (let k = 0; k < ordered.length; k++) {
      const start = mergeGlobal(full[k], global, strategy.sharing);
      const trained = await ordered[k].trainer.train(start, { round, ...plan, globalWeights: global });
      full[k] = trained.weights;
      updates.push({
        siteId: ordered[k].id,
        numExamples: trained.numExamples ?? ordered[k].trainer.describe().numTrainingCases,
        weights: new Map([...strategy.sharing.shared(trained.weights)].filter(([n]) => global.has(n))),
      });
    }
    global = strategy.aggregate(round, global, updates).weights;
  }
  for (const [k, s] of ordered.entries())
    finalSiteWeights?.set(s.id, mergeGlobal(full[k], global, strategy.sharing));
  return global;
}
