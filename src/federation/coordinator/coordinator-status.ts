// What CoordinatorHandle.status() and the status endpoint report. The coordinator keeps one
// CoordinatorStatus current as it goes; a snapshot adds the sites connected at that moment.

import type { ConnectedSites } from "./connected-sites.js";
import type { RoundRecord } from "./round-log.js";

export interface CoordinatorStatus {
  federationId: string;
  strategy: string;
  phase: "waiting-for-sites" | "training" | "evaluating" | "finished" | "failed" | "stopped";
  round: number;
  completedRounds: number;
  rounds: number;
  sites: { id: string; organs: string[]; numTrainingCases: number; connectedAt: string }[];
  lastRound?: RoundRecord;
  secureAggregation?: { threshold: number; bits: number };
  /** Differential privacy spent so far (site level), the configured noise and the current clipping norm. */
  privacy?: {
    epsilon: number;
    delta: number;
    noiseMultiplier: number;
    clipNorm: number;
    noise: "central" | "distributed";
    order?: number;
  };
  error?: string;
}

export function statusSnapshot(status: CoordinatorStatus, sites: ConnectedSites): CoordinatorStatus {
  return {
    ...status,
    sites: sites.list().map((s) => ({
      id: s.siteId,
      organs: s.description.organs,
      numTrainingCases: s.description.numTrainingCases,
      connectedAt: new Date(s.connectedAt).toISOString(),
    })),
  };
}
