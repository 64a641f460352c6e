// What a finished federation leaves behind, read back through the federation's own formats: the
// final shared weights (the coordinator's checkpoint), every site's whole model (its local state
// merged with the shared weights), the round log and what its weight digests prove. Callers get
// this from simulate() and never read the federation's files themselves.

import { join } from "node:path";
import { loadCheckpoint } from "../coordinator/checkpoint.js";
import {
  type RoundLogRecord,
  readRoundLog,
  type SharingVerification,
  verifySharing,
} from "../coordinator/round-log.js";
import { LocalStateStore } from "../site/local-state.js";
import { mergeLocalWithShared } from "../site/merge-weights.js";
import { createStrategy } from "../strategies/registry.js";
import { NameFilter } from "../weights/name-filter.js";
import type { WeightSet } from "../weights/weight-set.js";
import type { SimulationConfig } from "./simulate.js";

interface SiteOutcome {
  siteId: string;
  /** The tensors the site never sent (its head, kept statistics, optimiser moments, ...). */
  local: WeightSet;
  /** The site's whole model: local tensors with the final shared ones. */
  merged: WeightSet;
}

export interface FederationOutcome {
  rounds: number;
  /** The final aggregated (shared) weights. */
  shared: WeightSet;
  sites: SiteOutcome[];
  /** Every line of the round log, oldest first. */
  records: RoundLogRecord[];
  verification: SharingVerification;
}

/** Reads the outcome of a federation run with this config whose last round is complete. */
export async function readFederationOutcome(config: SimulationConfig): Promise<FederationOutcome> {
  const c = config.coordinator;
  if (c.checkpointDir === undefined)
    throw new Error("federation outcome: coordinator.checkpointDir is needed to read the final weights");
  const checkpoint = loadCheckpoint(c.checkpointDir);
  if (checkpoint === undefined || checkpoint.round !== c.rounds)
    throw new Error(
      `federation outcome: ${join(c.checkpointDir, "checkpoint.json")} holds round ${checkpoint?.round ?? "none"}, not the last round ${c.rounds}`,
    );
  const federationSharing = createStrategy(c.strategy).sharing;
  const sites: SiteOutcome[] = [];
  for (const s of config.sites) {
    const { siteId, stateDir } = s.config;
    if (stateDir === undefined)
      throw new Error(`federation outcome: site ${siteId} has no stateDir, so its local tensors are lost`);
    const saved = await new LocalStateStore(stateDir).loadUpTo(c.rounds);
    if (saved === undefined || saved.round !== c.rounds)
      throw new Error(
        `federation outcome: site ${siteId} saved no local state for round ${c.rounds} in ${stateDir}`,
      );
    const sharing = federationSharing.and(new NameFilter(["*"], s.config.neverShare ?? []));
    const merged = mergeLocalWithShared(saved.weights, checkpoint.global, sharing, `site ${siteId}`);
    sites.push({ siteId, local: saved.weights, merged });
  }
  const records = c.roundLogFile === undefined ? [] : readRoundLog(c.roundLogFile);
  return {
    rounds: checkpoint.round,
    shared: checkpoint.global,
    sites,
    records,
    verification: verifySharing(
      records,
      config.sites.map((s) => s.config.siteId),
    ),
  };
}
