// A site: dials out to the coordinator (the hospital opens no port), says who it is, and serves
// the tasks it is sent one at a time. Lost connections are retried with backoff; refusals
// (wrong credential, revoked, protocol version) end the site with the coordinator's reason.

import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { appendToFileSync, ensureWritableDir } from "../../util/file-writes.js";
import { tuneMallocForTransfers } from "../../util/malloc-tuning.js";
import { JsonLineLogger, type Logger } from "../logging/json-logger.js";
import { SecureAggregationParticipant } from "../privacy/secure-aggregation/site-participant.js";
import { HelloSchema } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { CHANNEL_OPTIONS } from "../protocol/service.js";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import { channelCredentials } from "../security/tls.js";
import { NameFilter } from "../weights/name-filter.js";
import type { SiteConfig } from "./config.js";
import { LocalStateStore } from "./local-state.js";
import { type SessionParts, SiteSession } from "./site-session.js";
import { SiteTasks } from "./site-tasks.js";
import type { SiteTrainer } from "./site-trainer.js";

export { SiteRefusedError } from "./site-refused-error.js";

export interface SiteResult {
  roundsTrained: number;
  lastRound: number;
  reason: string;
  /** The coordinator ended the federation as failed: the site did not finish its job. */
  coordinatorFailed: boolean;
}

/** Proves the site's state folder and log file writable, before any work depends on them. */
export function checkSiteOutputs(config: SiteConfig): void {
  if (config.stateDir !== undefined) ensureWritableDir(config.stateDir, `site ${config.siteId}: stateDir`);
  if (config.logFile !== undefined) appendToFileSync(config.logFile, "");
}

export async function runSite(
  config: SiteConfig,
  trainer: SiteTrainer,
  logger?: Logger,
  /** The site's secure-aggregation side (tests substitute a misbehaving one). */
  participant?: SecureAggregationParticipant,
): Promise<SiteResult> {
  const client = await SiteClient.open(config, trainer, logger, participant);
  return client.run();
}

/** A site for its whole run: one session after another until the coordinator shuts it down. */
class SiteClient {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly giveUpAfterMs: number;

  /** Loads the trainer's initial weights and the site's local state; connects to nothing yet. */
  static async open(
    config: SiteConfig,
    trainer: SiteTrainer,
    logger?: Logger,
    participant?: SecureAggregationParticipant,
  ): Promise<SiteClient> {
    const log = logger ?? new JsonLineLogger(`site:${config.siteId}`, config.logFile);
    log.log("info", "malloc-tuning", { ...tuneMallocForTransfers() });
    const store = new LocalStateStore(config.stateDir);
    const initial = await trainer.initialWeights();
    const description = trainer.describe();
    const siteFilter = new NameFilter(["*"], config.neverShare ?? []);
    const credentials = channelCredentials(config.tls);
    const options: grpc.ClientOptions = { ...CHANNEL_OPTIONS };
    if (config.tls?.serverNameOverride !== undefined)
      options["grpc.ssl_target_name_override"] = config.tls.serverNameOverride;
    const tasks = new SiteTasks(
      trainer,
      store,
      initial,
      description,
      participant ?? new SecureAggregationParticipant(config.siteId),
    );
    if (tasks.lastRound > 0) log.log("info", "local-state-found", { round: tasks.lastRound });
    const hello = () =>
      create(HelloSchema, {
        protocolVersion: config.protocolVersion ?? PROTOCOL_VERSION,
        siteId: config.siteId,
        token: config.token ?? "",
        organs: description.organs,
        numTrainingCases: BigInt(description.numTrainingCases),
        resumedRound: store.latestRound(),
      });
    return new SiteClient({ config, credentials, options, hello, siteFilter, tasks, log });
  }

  private constructor(private readonly session: SessionParts) {
    const { reconnect } = session.config;
    this.initialDelayMs = reconnect?.initialDelayMs ?? 200;
    this.maxDelayMs = reconnect?.maxDelayMs ?? 5_000;
    this.giveUpAfterMs = reconnect?.giveUpAfterMs ?? 10 * 60_000;
  }

  /**
   * Reconnects with exponential backoff after a lost session; the backoff starts over once a
   * session was welcomed, and the site gives up after giveUpAfterMs without one.
   */
  async run(): Promise<SiteResult> {
    const { config, tasks, log } = this.session;
    let delay = this.initialDelayMs;
    let lostSince: number | undefined;
    while (true) {
      const end = await SiteSession.run(this.session);
      if (end.kind === "shutdown")
        return {
          roundsTrained: tasks.roundsTrained,
          lastRound: tasks.lastRound,
          reason: end.reason,
          coordinatorFailed: end.failed,
        };
      if (end.welcomed) {
        delay = this.initialDelayMs;
        lostSince = undefined;
      }
      lostSince ??= Date.now();
      if (Date.now() - lostSince > this.giveUpAfterMs) {
        throw new Error(
          `site ${config.siteId}: no coordinator at ${config.coordinator} for ${this.giveUpAfterMs} ms: ${end.reason}`,
        );
      }
      log.log("info", "reconnecting", { reason: end.reason, delayMs: delay });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(this.maxDelayMs, delay * 2);
    }
  }
}
