// The coordinator: the only listening port of a federation. Sites dial in, are admitted, and
// take part in rounds; after each completed round the global weights and strategy state are
// checkpointed, so a killed coordinator resumes at the last completed round.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import * as grpc from "@grpc/grpc-js";
import { readSafetensorsFile } from "../../nn/safetensors/index.js";
import { JsonLineLogger, type Logger } from "../logging/json-logger.js";
import { TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { CHANNEL_OPTIONS, federationService, type JoinServerStream } from "../protocol/service.js";
import { SiteRegistry } from "../security/site-registry.js";
import { serverCredentials } from "../security/tls.js";
import { validateInitialWeights } from "../security/update-validation.js";
import { createStrategy } from "../strategies/registry.js";
import type { Strategy } from "../strategies/strategy.js";
import { decodeWeightSet, encodeWeightSet, type WeightSet } from "../weights/weight-set.js";
import { AdmissionRefused, checkHello, refuse, waitForHello, welcome } from "./admission.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { COORDINATOR_DEFAULTS, type CoordinatorConfig } from "./config.js";
import { ConnectedSites } from "./connected-sites.js";
import { RoundLog, type RoundRecord } from "./round-log.js";
import { dispatch, runTrainingRound } from "./round-runner.js";
import { SiteConnection } from "./site-connection.js";
import { startStatusServer } from "./status-server.js";

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
  stop(): Promise<void>;
}

export interface CoordinatorStatus {
  federationId: string;
  strategy: string;
  phase: "waiting-for-sites" | "initializing" | "training" | "evaluating" | "finished" | "failed" | "stopped";
  round: number;
  completedRounds: number;
  rounds: number;
  sites: { id: string; organs: string[]; numTrainingCases: number; connectedAt: string }[];
  lastRound?: RoundRecord;
  error?: string;
}

export async function startCoordinator(
  config: CoordinatorConfig,
  logger?: Logger,
): Promise<CoordinatorHandle> {
  const c = { ...COORDINATOR_DEFAULTS, ...config };
  const log = logger ?? new JsonLineLogger("coordinator", config.logFile);
  const strategy: Strategy = createStrategy(config.strategy);
  const registry = new SiteRegistry(config.sites);
  const requireCertificate = config.tls?.requireClientCertificate === true;
  const minSitesToClose = config.minSitesToClose ?? c.minSitesToStart;
  const roundLog = new RoundLog(config.roundLogFile);
  const sites = new ConnectedSites();
  const runId = randomBytes(4).toString("hex");
  if (c.minSitesToStart < 1 || minSitesToClose < 1)
    throw new Error("coordinator: minSitesToStart and minSitesToClose must be >= 1");

  let global: WeightSet | undefined;
  let completedRounds = 0;
  if (config.resume === true && config.checkpointDir !== undefined) {
    const checkpoint = loadCheckpoint(config.checkpointDir);
    if (checkpoint !== undefined) {
      if (checkpoint.strategy !== strategy.name) {
        throw new Error(
          `coordinator: checkpoint was made by strategy ${checkpoint.strategy}, config says ${strategy.name}`,
        );
      }
      global = checkpoint.global;
      completedRounds = checkpoint.round;
      strategy.loadState(checkpoint.strategyState);
      log.log("info", "resumed", { round: completedRounds, dir: config.checkpointDir });
    }
  }
  if (global === undefined && config.initialWeightsFile !== undefined) {
    const { tensors } = await readSafetensorsFile(config.initialWeightsFile);
    global = strategy.sharing.shared(new Map(Object.keys(tensors).map((k) => [k, tensors[k]])));
  }
  if (config.checkpointDir !== undefined) mkdirSync(config.checkpointDir, { recursive: true });

  const status: CoordinatorStatus = {
    federationId: c.federationId,
    strategy: strategy.name,
    phase: "waiting-for-sites",
    round: completedRounds + 1,
    completedRounds,
    rounds: config.rounds,
    sites: [],
  };
  const snapshot = (): CoordinatorStatus => ({
    ...status,
    sites: sites.list().map((s) => ({
      id: s.siteId,
      organs: s.description.organs,
      numTrainingCases: s.description.numTrainingCases,
      connectedAt: new Date(s.connectedAt).toISOString(),
    })),
  });

  const onJoin = async (stream: JoinServerStream) => {
    try {
      const hello = await waitForHello(stream, c.helloTimeoutMs);
      checkHello(hello, stream, registry, requireCertificate);
      const connection = new SiteConnection(
        {
          siteId: hello.siteId,
          organs: [...hello.organs],
          numTrainingCases: Number(hello.numTrainingCases),
          resumedRound: hello.resumedRound,
        },
        stream,
      );
      connection.onStray = (taskId, why) =>
        log.log("info", "stray-message", { site: hello.siteId, taskId, why });
      welcome(
        stream,
        c.federationId,
        completedRounds + 1,
        strategy.sharing.include,
        strategy.sharing.exclude,
      );
      const previous = sites.add(connection);
      previous?.end("replaced by a new connection from the same site");
      log.log("info", "site-joined", {
        site: hello.siteId,
        peer: stream.getPeer(),
        organs: hello.organs,
        numTrainingCases: Number(hello.numTrainingCases),
        resumedRound: hello.resumedRound,
        rejoined: previous !== undefined,
      });
      connection.onClose(() => log.log("info", "site-left", { site: hello.siteId }));
    } catch (e) {
      const error =
        e instanceof AdmissionRefused ? e : new AdmissionRefused(grpc.status.INTERNAL, (e as Error).message);
      log.log("warn", "site-refused", { peer: stream.getPeer(), reason: error.message });
      refuse(stream, error);
    }
  };

  const server = new grpc.Server(CHANNEL_OPTIONS);
  server.addService(federationService, { join: onJoin });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${c.host}:${c.port}`, serverCredentials(config.tls), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  let http: HttpServer | undefined;
  let statusPort: number | undefined;
  if (config.status !== undefined) {
    const started = await startStatusServer(config.status.host ?? "127.0.0.1", config.status.port, snapshot);
    http = started.server;
    statusPort = started.port;
  }
  log.log("info", "listening", {
    host: c.host,
    port,
    statusPort,
    strategy: strategy.name,
    tls: config.tls !== undefined,
  });

  let stopped = false;
  let signalStop: () => void = () => {};
  const stopRequested = new Promise<false>((resolve) => {
    signalStop = () => resolve(false);
  });
  const stopServers = async (reason: string) => {
    for (const s of sites.list()) s.end(reason, true);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  };

  const waitForSites = async () => {
    status.phase = "waiting-for-sites";
    const enough = await Promise.race([
      sites.waitFor(c.minSitesToStart, c.waitForSitesTimeoutMs),
      stopRequested,
    ]);
    if (stopped) throw new Error("coordinator stopped");
    if (!enough) {
      throw new Error(
        `coordinator: fewer than ${c.minSitesToStart} sites connected within ${c.waitForSitesTimeoutMs} ms`,
      );
    }
  };

  const initialize = async (): Promise<WeightSet> => {
    for (let attempt = 1; attempt <= c.maxRoundAttempts; attempt++) {
      await waitForSites();
      status.phase = "initializing";
      const first = sites.list()[0];
      const [s] = await dispatch(
        [first],
        () => ({
          taskId: `${runId}-init-a${attempt}`,
          round: 0,
          kind: TaskKind.INITIALIZE,
          localEpochs: 0,
          proximalMu: 0,
          options: {},
        }),
        undefined,
        "",
        c.roundTimeoutMs,
      );
      try {
        if (s.reply === undefined) throw new Error(s.error);
        if (!s.reply.result.ok) throw new Error(`site reported: ${s.reply.result.error}`);
        if (s.reply.payload === undefined) throw new Error(s.reply.payloadError ?? "no weights");
        const weights = decodeWeightSet(s.reply.payload, `site ${first.siteId} initial weights`);
        const check = validateInitialWeights(weights, strategy.sharing);
        if (!check.ok) throw new Error(check.reason);
        log.log("info", "initialized", { site: first.siteId, tensors: weights.size });
        return weights;
      } catch (e) {
        log.log("warn", "initialize-failed", { site: first.siteId, attempt, reason: (e as Error).message });
      }
    }
    throw new Error(`coordinator: no site provided valid initial weights in ${c.maxRoundAttempts} attempts`);
  };

  const evaluate = async (round: number, weights: WeightSet) => {
    status.phase = "evaluating";
    const settled = await dispatch(
      sites.list(),
      (site) => ({
        taskId: `${runId}-eval-r${round}-${site.siteId}`,
        round,
        kind: TaskKind.EVALUATE,
        localEpochs: 0,
        proximalMu: 0,
        options: {},
      }),
      encodeWeightSet(weights),
      `${runId}-eval-r${round}`,
      c.roundTimeoutMs,
      config.chunkBytes,
    );
    const out: Record<string, Record<string, number>> = {};
    for (const s of settled) {
      if (s.reply?.result.ok) out[s.site.siteId] = { ...s.reply.result.metrics };
      else
        log.log("warn", "evaluation-failed", {
          round,
          site: s.site.siteId,
          reason: s.error ?? s.reply?.result.error,
        });
    }
    return out;
  };

  const run = async (): Promise<CoordinatorResult> => {
    if (global === undefined) global = await initialize();
    for (let round = completedRounds + 1; round <= config.rounds && !stopped; round++) {
      status.round = round;
      let done = false;
      for (let attempt = 1; !done; attempt++) {
        if (attempt > c.maxRoundAttempts)
          throw new Error(`coordinator: round ${round} failed ${c.maxRoundAttempts} times`);
        await waitForSites();
        if (stopped) break;
        status.phase = "training";
        const participants = sites.list();
        log.log("info", "round-start", { round, attempt, sites: participants.map((s) => s.siteId) });
        const outcome = await runTrainingRound(
          {
            runId,
            round,
            attempt,
            roundTimeoutMs: c.roundTimeoutMs,
            minSitesToClose,
            maxUpdateNorm: config.maxUpdateNorm,
            chunkBytes: config.chunkBytes,
          },
          global,
          strategy,
          participants,
          log,
        );
        for (const r of outcome.sites) roundLog.write(r);
        if (outcome.completed) {
          global = outcome.global;
          completedRounds = round;
          status.completedRounds = round;
          done = true;
          if (c.evaluateEvery > 0 && round % c.evaluateEvery === 0)
            outcome.round.evaluation = await evaluate(round, global);
        } else {
          log.log("warn", "round-retry", {
            round,
            attempt,
            accepted: outcome.round.accepted.length,
            needed: minSitesToClose,
          });
        }
        roundLog.write(outcome.round);
        // The checkpoint comes after the round's log lines: a coordinator killed in between
        // repeats the round on resume (to the same weights) rather than losing its record.
        if (outcome.completed && config.checkpointDir !== undefined) {
          saveCheckpoint(config.checkpointDir, {
            round,
            strategy: strategy.name,
            global: outcome.global,
            strategyState: strategy.saveState(),
          });
        }
        status.lastRound = outcome.round;
        log.log("info", "round-end", { ...outcome.round, type: undefined });
      }
    }
    return { completedRounds, global, roundLog };
  };

  const done = run().then(
    async (result) => {
      status.phase = stopped ? "stopped" : "finished";
      await stopServers("federation finished");
      log.log("info", "finished", { completedRounds: result.completedRounds });
      return result;
    },
    async (e: Error) => {
      status.phase = "failed";
      status.error = e.message;
      log.log("error", "failed", { reason: e.message });
      await stopServers(`coordinator failed: ${e.message}`);
      throw e;
    },
  );
  done.catch(() => {}); // the caller observes it through the handle

  return {
    port,
    statusPort,
    done,
    status: snapshot,
    stop: async () => {
      stopped = true;
      signalStop();
      await stopServers("coordinator stopped");
    },
  };
}

/** Runs a federation to its last round (the `segviz server` command). */
export async function runCoordinator(config: CoordinatorConfig, logger?: Logger): Promise<CoordinatorResult> {
  const handle = await startCoordinator(config, logger);
  return handle.done;
}
