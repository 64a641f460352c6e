// The coordinator: the only listening port of a federation. Sites dial in, are admitted, and
// take part in rounds; after each completed round the global weights and strategy state are
// checkpointed, so a killed coordinator resumes at the last completed round.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ensureWritableDir } from "../../util/file-writes.js";
import { tuneMallocForTransfers } from "../../util/malloc-tuning.js";
import { JsonLineLogger, type Logger } from "../logging/json-logger.js";
import { type RegistryChange, type SiteCredentialConfig, SiteRegistry } from "../security/site-registry.js";
import { serverCredentials } from "../security/tls.js";
import { createStrategy } from "../strategies/registry.js";
import type { Strategy } from "../strategies/strategy.js";
import type { WeightSet } from "../weights/weight-set.js";
import { parseWireDtype } from "../weights/wire-dtype.js";
import { type CoordinatorConfig, type CoordinatorSettings, coordinatorSettings } from "./config.js";
import { ConnectedSites } from "./connected-sites.js";
import { CoordinatorServers } from "./coordinator-servers.js";
import { type CoordinatorStatus, statusSnapshot } from "./coordinator-status.js";
import { FederationActivity } from "./dashboard/federation-activity.js";
import { JoinHandler } from "./join-handler.js";
import { type CoordinatorPrivacy, checkPrivateStart, coordinatorPrivacy } from "./privacy-settings.js";
import { RoundLog } from "./round-log.js";
import { RoundLoop } from "./round-loop.js";
import { loadStartingPoint, type StartingPoint } from "./starting-point.js";
import { StopSignal } from "./stop-signal.js";

export type { CoordinatorStatus } from "./coordinator-status.js";

export interface CoordinatorResult {
  completedRounds: number;
  global: WeightSet;
  roundLog: RoundLog;
}

export interface CoordinatorHandle {
  port: number;
  statusPort?: number;
  /** Settles when the last round is done (or the coordinator fails or is stopped). */
  done: Promise<CoordinatorResult>;
  status(): CoordinatorStatus;
  /**
   * Takes a new site list without a restart (`segviz server` on SIGHUP): new sites may join from
   * now on; a revoked or removed site is disconnected at once and refused when it comes back.
   */
  reloadSites(sites: SiteCredentialConfig[]): RegistryChange;
  stop(): Promise<void>;
}

export async function startCoordinator(
  config: CoordinatorConfig,
  logger?: Logger,
): Promise<CoordinatorHandle> {
  const coordinator = await Coordinator.open(config, logger);
  return coordinator.start();
}

/** What a coordinator is built from, checked and loaded before it opens its ports. */
interface CoordinatorParts {
  settings: CoordinatorSettings;
  log: Logger;
  strategy: Strategy;
  registry: SiteRegistry;
  roundLog: RoundLog;
  privacy: CoordinatorPrivacy;
}

/** One federation run: its ports, its connected sites, its status and its round loop. */
class Coordinator {
  private readonly settings: CoordinatorSettings;
  private readonly log: Logger;
  private readonly roundLog: RoundLog;
  private readonly sites = new ConnectedSites();
  private readonly stopSignal = new StopSignal();
  private readonly status: CoordinatorStatus;
  private readonly rounds: RoundLoop;
  private readonly servers: CoordinatorServers;
  private readonly registry: SiteRegistry;
  private readonly activity: FederationActivity;

  /** Checks the config and loads the starting point; opens no port yet. */
  static async open(config: CoordinatorConfig, logger?: Logger): Promise<Coordinator> {
    const settings = coordinatorSettings(config);
    const log = logger ?? new JsonLineLogger("coordinator", config.logFile);
    log.log("info", "malloc-tuning", { ...tuneMallocForTransfers() });
    const strategy = createStrategy(config.strategy);
    const registry = new SiteRegistry(config.sites);
    const roundLog = new RoundLog(config.roundLogFile);
    if (settings.minSitesToStart < 1 || settings.minSitesToClose < 1)
      throw new Error("coordinator: minSitesToStart and minSitesToClose must be >= 1");
    // A folder that cannot take a checkpoint fails now, not after the first round's work.
    if (config.checkpointDir !== undefined)
      ensureWritableDir(config.checkpointDir, "coordinator: checkpointDir");
    const privacy = coordinatorPrivacy(config, strategy);
    const wire = parseWireDtype(config.transfer?.dtype, "coordinator: transfer.dtype");
    if (wire !== "float32" && (privacy.secure !== undefined || privacy.budget !== undefined))
      throw new Error(
        "coordinator: transfer.dtype compresses plain rounds only; secure aggregation and differential privacy send float32",
      );
    const start = await loadStartingPoint(config, strategy, log);
    checkPrivateStart(privacy, start.global);
    if (privacy.budget !== undefined && start.completedRounds > 0) {
      if (start.privacy === undefined)
        throw new Error(
          "coordinator: differentialPrivacy is on but the checkpoint has no privacy ledger (it was made without differential privacy); its rounds would go unaccounted",
        );
      privacy.budget.load(start.privacy);
    }
    return new Coordinator({ settings, log, strategy, registry, roundLog, privacy }, start);
  }

  private constructor(parts: CoordinatorParts, start: StartingPoint) {
    const { settings, strategy, registry, roundLog, privacy } = parts;
    this.settings = settings;
    // The dashboard follows the federation through the same events and records it logs.
    this.activity = new FederationActivity(() => this.snapshot());
    const log = this.activity.logger(parts.log);
    roundLog.onRecord((r) => this.activity.onRecord(r));
    this.log = log;
    this.roundLog = roundLog;
    this.registry = registry;
    this.status = {
      federationId: settings.federationId,
      strategy: strategy.name,
      phase: "waiting-for-sites",
      round: start.completedRounds + 1,
      completedRounds: start.completedRounds,
      rounds: settings.rounds,
      sites: [],
      secureAggregation:
        privacy.secure === undefined
          ? undefined
          : { threshold: privacy.secure.threshold, bits: privacy.secure.bits },
      privacy:
        privacy.budget === undefined
          ? undefined
          : {
              ...privacy.budget.spent(),
              noiseMultiplier: privacy.budget.settings.noiseMultiplier,
              clipNorm: privacy.budget.clipNorm,
              noise: privacy.budget.settings.noise,
            },
    };
    const { sites, status } = this;
    const runId = randomBytes(4).toString("hex");
    const stop = this.stopSignal;
    this.rounds = new RoundLoop(
      { settings, runId, strategy, sites, roundLog, status, stop, log, privacy },
      start,
    );
    const join = new JoinHandler(
      {
        federationId: settings.federationId,
        helloTimeoutMs: settings.helloTimeoutMs,
        maxUnauthenticated: settings.maxUnauthenticatedConnections,
        duplicateConnection: settings.duplicateConnection,
        registry,
        requireCertificate: settings.tls?.requireClientCertificate === true,
        sharing: strategy.sharing,
        nextRound: () => this.rounds.completedRounds + 1,
      },
      sites,
      log,
    );
    this.servers = new CoordinatorServers((stream) => join.handle(stream));
  }

  /** Opens the ports and starts the rounds. */
  async start(): Promise<CoordinatorHandle> {
    const { host, port: requestedPort, tls, status: statusConfig } = this.settings;
    this.checkTransportSecurity();
    const address = `${host}:${requestedPort}`;
    let port: number;
    try {
      port = await this.servers.listen(address, serverCredentials(tls));
    } catch (e) {
      await this.servers.close();
      throw new Error(`coordinator: cannot listen on ${address}: ${(e as Error).message}`, { cause: e });
    }
    let statusPort: number | undefined;
    if (statusConfig !== undefined) {
      const statusHost = statusConfig.host ?? "127.0.0.1";
      try {
        statusPort = await this.servers.listenForDashboard(
          {
            host: statusHost,
            port: statusConfig.port,
            token: statusToken(statusConfig),
            tls: tls === undefined ? undefined : { certFile: tls.certFile, keyFile: tls.keyFile },
          },
          this.activity,
        );
      } catch (e) {
        // A coordinator that cannot serve what it was configured to serve does not start: the
        // gRPC port is released, so the process ends instead of welcoming sites it never trains.
        await this.servers.close();
        throw new Error(
          `coordinator: cannot listen for status on ${statusHost}:${statusConfig.port}: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }
    this.log.log("info", "listening", {
      host,
      port,
      statusPort,
      strategy: this.status.strategy,
      tls: tls !== undefined,
    });
    const done = this.run();
    done.catch(() => {}); // the caller observes it through the handle
    return {
      port,
      statusPort,
      done,
      status: () => this.snapshot(),
      reloadSites: (sites) => this.reloadSites(sites),
      stop: () => this.stop(),
    };
  }

  /** Tokens in plaintext: warned about on loopback, refused elsewhere unless allowInsecure. */
  private checkTransportSecurity(): void {
    const { host, tls, allowInsecure } = this.settings;
    if (tls !== undefined) return;
    const loopback = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/.test(host);
    if (!loopback && allowInsecure !== true)
      throw new Error(
        `coordinator: TLS is off and ${host} is not a loopback address: the sites' tokens would cross the network in plaintext; configure tls, or set allowInsecure: true to accept that`,
      );
    this.log.log("warn", "plaintext-tokens", {
      host,
      reason: loopback
        ? "TLS is off: tokens cross loopback in plaintext (fine on one machine; configure tls for a network)"
        : "TLS is off and allowInsecure is set: tokens cross the network in plaintext",
    });
  }

  private reloadSites(sites: SiteCredentialConfig[]): RegistryChange {
    const change = this.registry.replace(sites);
    const disconnected: string[] = [];
    for (const id of [...change.revoked, ...change.removed]) {
      const connection = this.sites.get(id);
      if (connection === undefined) continue;
      // Its task in the running round fails like a lost site's; the round goes on without it.
      connection.end(change.revoked.includes(id) ? "site revoked" : "site removed from the registry");
      disconnected.push(id);
    }
    this.log.log("info", "sites-reloaded", { ...change, disconnected, sites: sites.length });
    return change;
  }

  private snapshot(): CoordinatorStatus {
    return statusSnapshot(this.status, this.sites);
  }

  /** The round loop, then the ports closed whatever its outcome. */
  private async run(): Promise<CoordinatorResult> {
    let result: CoordinatorResult;
    try {
      const global = await this.rounds.run();
      result = { completedRounds: this.rounds.completedRounds, global, roundLog: this.roundLog };
    } catch (e) {
      const reason = (e as Error).message;
      this.status.phase = "failed";
      this.status.error = reason;
      this.log.log("error", "failed", { reason });
      await this.shutdown(`coordinator failed: ${reason}`, "failed");
      throw e;
    }
    this.status.phase = this.stopSignal.stopped ? "stopped" : "finished";
    await this.shutdown("federation finished", "finished");
    this.log.log("info", "finished", { completedRounds: result.completedRounds });
    return result;
  }

  private async stop(): Promise<void> {
    this.stopSignal.request();
    await this.shutdown("coordinator stopped", "finished");
  }

  /** Ends every site's stream with the reason, then closes the ports. */
  private async shutdown(reason: string, outcome: "finished" | "failed"): Promise<void> {
    for (const s of this.sites.list()) s.end(reason, outcome);
    await this.servers.close();
  }
}

/** The dashboard's bearer token: given inline or in a file (trimmed); none leaves it open. */
function statusToken(config: { token?: string; tokenFile?: string }): string | undefined {
  if (config.token !== undefined && config.tokenFile !== undefined)
    throw new Error("coordinator: status.token and status.tokenFile: give one of them");
  if (config.tokenFile !== undefined) {
    const token = readFileSync(config.tokenFile, "utf8").trim();
    if (token.length === 0) throw new Error(`coordinator: status.tokenFile ${config.tokenFile} is empty`);
    return token;
  }
  return config.token;
}
