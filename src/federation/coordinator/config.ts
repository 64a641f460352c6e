// Everything a coordinator needs, as plain data (the CLI reads it from a JSON file).

import type { DifferentialPrivacyConfig } from "../privacy/differential-privacy/config.js";
import type { SiteCredentialConfig } from "../security/site-registry.js";
import type { CoordinatorTlsConfig } from "../security/tls.js";
import type { StrategyConfig } from "../strategies/config.js";
import type { WireDtype } from "../weights/wire-dtype.js";
import type { SecureAggregationSection } from "./privacy-settings.js";

/**
 * The coordinator's own seeded model: an ES module exporting createInitialWeights(options),
 * returning a full weight set (or a promise of one) of which the shared part starts the
 * federation. The UNet adapter provides one (unet-site/unet-initial-model.ts).
 */
export interface InitialModelSpec {
  module: string;
  options?: unknown;
}

export interface CoordinatorConfig {
  /** Address to listen on; loopback unless the deployment says otherwise. */
  host?: string;
  /** 0 picks a free port (reported by the handle). */
  port?: number;
  federationId?: string;
  rounds: number;
  strategy: StrategyConfig;
  sites: SiteCredentialConfig[];
  tls?: CoordinatorTlsConfig;
  minSitesToStart?: number;
  minSitesToClose?: number;
  /** How long a round waits for results before closing with those that returned. */
  roundTimeoutMs?: number;
  /** Attempts per round before the coordinator gives up. */
  maxRoundAttempts?: number;
  /** How long to wait for enough sites before a round; unbounded by default. */
  waitForSitesTimeoutMs?: number;
  /** Evaluate the new global weights on the sites every N rounds (0: never). */
  evaluateEvery?: number;
  /**
   * Where the federation starts (one of the two is required unless resuming from a checkpoint):
   * a safetensors file of the shared tensors by name, or a module that builds them (the UNet
   * adapter's seeded UNet, or its reader of bundles, .pt and MONAI files: what coordinator.json's
   * initialModel and initialWeightsFile become). Never a site's proposal.
   */
  initialWeightsFile?: string;
  initialModel?: InitialModelSpec;
  checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir when there is one. */
  resume?: boolean;
  roundLogFile?: string;
  logFile?: string;
  /**
   * The dashboard (/), its live feed (/events), JSON status (/status) and Prometheus metrics
   * (/metrics); omitted: none. Read-only; loopback unless host says otherwise; HTTPS when tls is
   * set; with token (or tokenFile) every request needs it as a bearer token.
   */
  status?: { host?: string; port: number; token?: string; tokenFile?: string };
  maxUpdateNorm?: number;
  /**
   * With 3 or more updates in a round, one whose norm exceeds this many times the round's median
   * update norm is rejected (a scaled update); 0 turns it off. Default 100: honest sites of the
   * phantom studies reached 8.6 times the median (BatchNorm statistics of different scanners).
   */
  relativeUpdateNormBound?: number;
  chunkBytes?: number;
  /**
   * Sites sending their updates at once, at most (default 4): the others wait for a grant, so the
   * coordinator's memory does not grow with the number of sites.
   */
  concurrentUploads?: number;
  /**
   * Compressed updates: the shared float32 tensors travel as float16 or bfloat16 (the global
   * weights rounded, the sites' changes from them rounded); default float32. Plain rounds only.
   */
  transfer?: { dtype: WireDtype };
  /** Connections that have not authenticated yet, at most; more are refused at once. Default 32. */
  maxUnauthenticatedConnections?: number;
  /** How long a new connection has to send a valid Hello before it is dropped. Default 10 s. */
  helloTimeoutMs?: number;
  /**
   * A second connection with a connected site's credential: "refuse" (default; a stolen token
   * cannot evict the real site) or "replace" (the newer connection wins).
   */
  duplicateConnection?: "refuse" | "replace";
  /**
   * Without TLS the sites' tokens cross the network in plaintext. On loopback that is only warned
   * about; on any other address the coordinator refuses to start unless this is true.
   */
  allowInsecure?: boolean;
  /**
   * Secure aggregation (off by default): the coordinator learns only the sum of the sites'
   * updates. `threshold` sites must stay to the end of each round.
   */
  secureAggregation?: SecureAggregationSection;
  /** Site-level differential privacy (DP-FedAvg), off by default. */
  differentialPrivacy?: DifferentialPrivacyConfig;
}

export const COORDINATOR_DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  federationId: "segviz",
  minSitesToStart: 1,
  roundTimeoutMs: 10 * 60_000,
  maxRoundAttempts: 5,
  waitForSitesTimeoutMs: Number.POSITIVE_INFINITY,
  evaluateEvery: 0,
  helloTimeoutMs: 10_000,
  maxUnauthenticatedConnections: 32,
  duplicateConnection: "refuse" as "refuse" | "replace",
  relativeUpdateNormBound: 100,
};

/** A CoordinatorConfig with its defaults filled in. */
export type CoordinatorSettings = typeof COORDINATOR_DEFAULTS &
  CoordinatorConfig & { minSitesToClose: number };

export function coordinatorSettings(config: CoordinatorConfig): CoordinatorSettings {
  const withDefaults = { ...COORDINATOR_DEFAULTS, ...config };
  return { ...withDefaults, minSitesToClose: config.minSitesToClose ?? withDefaults.minSitesToStart };
}
