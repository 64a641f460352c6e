// A site: dials out to the coordinator (the hospital opens no port), says who it is, and serves
// the tasks it is sent one at a time. Lost connections are retried with backoff; refusals
// (wrong credential, revoked, protocol version) end the site with the coordinator's reason.

import { create, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { JsonLineLogger, type Logger } from "../logging/json-logger.js";
import {
  type CoordinatorMessage,
  HelloSchema,
  type Task,
  TaskKind,
  TaskResultSchema,
  type Welcome,
} from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { PayloadAssembler, preparePayload } from "../protocol/payload.js";
import {
  CHANNEL_OPTIONS,
  FederationClientConstructor,
  type JoinClientStream,
  siteMessage,
  wireSize,
} from "../protocol/service.js";
import { writeWithBackpressure } from "../protocol/stream-writer.js";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import { channelCredentials } from "../security/tls.js";
import { NameFilter } from "../weights/name-filter.js";
import { decodeWeightSet, encodeWeightSet, type WeightSet } from "../weights/weight-set.js";
import type { SiteConfig } from "./config.js";
import { LocalStateStore } from "./local-state.js";
import { mergeGlobal } from "./merge-weights.js";
import type { SiteTrainer } from "./site-trainer.js";

export interface SiteResult {
  roundsTrained: number;
  lastRound: number;
  reason: string;
}

/** The coordinator refused this site; retrying cannot help. */
export class SiteRefusedError extends Error {
  constructor(
    readonly code: grpc.status,
    details: string,
  ) {
    super(`coordinator refused the site: ${details}`);
    this.name = "SiteRefusedError";
  }
}

const FATAL = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.INVALID_ARGUMENT,
]);

type SessionEnd = { kind: "shutdown"; reason: string } | { kind: "lost"; reason: string; welcomed: boolean };

export async function runSite(
  config: SiteConfig,
  trainer: SiteTrainer,
  logger?: Logger,
): Promise<SiteResult> {
  const log = logger ?? new JsonLineLogger(`site:${config.siteId}`, config.logFile);
  const store = new LocalStateStore(config.stateDir);
  const initial = await trainer.initialWeights();
  const description = trainer.describe();
  const siteFilter = new NameFilter(["*"], config.neverShare ?? []);
  const credentials = channelCredentials(config.tls);
  const options: grpc.ClientOptions = { ...CHANNEL_OPTIONS };
  if (config.tls?.serverNameOverride !== undefined)
    options["grpc.ssl_target_name_override"] = config.tls.serverNameOverride;
  const initialDelay = config.reconnect?.initialDelayMs ?? 200;
  const maxDelay = config.reconnect?.maxDelayMs ?? 5_000;
  const giveUpAfter = config.reconnect?.giveUpAfterMs ?? 10 * 60_000;
  let roundsTrained = 0;
  let lastRound = store.latestRound();
  if (lastRound > 0) log.log("info", "local-state-found", { round: lastRound });

  const baseWeights = async (maxLocalRound: number): Promise<WeightSet> => {
    const state = await store.loadUpTo(maxLocalRound);
    return state === undefined ? new Map(initial) : new Map([...initial, ...state.weights]);
  };

  const session = (): Promise<SessionEnd> =>
    new Promise((resolve, reject) => {
      const client = new FederationClientConstructor(config.coordinator, credentials, options);
      const stream: JoinClientStream = client.join();
      let welcomed = false;
      let sharing: NameFilter | undefined;
      let incoming: { task: Task; assembler?: PayloadAssembler; receivedBytes: number } | undefined;
      let queue = Promise.resolve();
      let ended = false;
      const finish = (end: SessionEnd | Error) => {
        if (ended) return;
        ended = true;
        stream.cancel();
        client.close();
        if (end instanceof Error) reject(end);
        else resolve(end);
      };

      const serve = async (task: Task, payload: Uint8Array | undefined, receivedBytes: number) => {
        const started = performance.now();
        let bytesOut = 0;
        const send = async (result: MessageInitShape<typeof TaskResultSchema>, weights?: WeightSet) => {
          const out =
            weights === undefined
              ? undefined
              : preparePayload(encodeWeightSet(weights), `${task.taskId}-result`, config.chunkBytes);
          const header = siteMessage({
            case: "result",
            value: create(TaskResultSchema, {
              ...result,
              taskId: task.taskId,
              round: task.round,
              weights: out?.info,
              durationMs: performance.now() - started,
            }),
          });
          await writeWithBackpressure(stream, header);
          bytesOut += wireSize(header);
          for (const chunk of out?.chunks ?? []) {
            const m = siteMessage({ case: "chunk", value: chunk });
            await writeWithBackpressure(stream, m);
            bytesOut += wireSize(m);
          }
        };
        try {
          const global =
            payload === undefined ? new Map() : decodeWeightSet(payload, `coordinator task ${task.taskId}`);
          const filter = sharing!;
          const shares = (name: string) => filter.shares(name);
          if (task.kind === TaskKind.INITIALIZE) {
            await send(
              { ok: true, numExamples: BigInt(description.numTrainingCases) },
              filter.shared(initial),
            );
          } else if (task.kind === TaskKind.TRAIN) {
            const start = mergeGlobal(await baseWeights(task.round - 1), global, filter);
            const trained = await trainer.train(start, {
              round: task.round,
              localEpochs: task.localEpochs,
              proximalMu: task.proximalMu,
              globalWeights: global,
              options: { ...task.options },
            });
            const uploaded = (n: string) => shares(n) && global.has(n);
            // Everything the site does not send is its local state (heads, kept statistics, and
            // whatever else its trainer carries between rounds, such as optimiser moments).
            await store.save(task.round, new Map([...trained.weights].filter(([n]) => !uploaded(n))));
            const upload: WeightSet = new Map([...trained.weights].filter(([n]) => uploaded(n)));
            await send(
              {
                ok: true,
                metrics: trained.metrics,
                numExamples: BigInt(Math.round(trained.numExamples ?? description.numTrainingCases)),
              },
              upload,
            );
            roundsTrained++;
            lastRound = Math.max(lastRound, task.round);
          } else if (task.kind === TaskKind.EVALUATE) {
            const weights = mergeGlobal(await baseWeights(task.round), global, filter);
            const metrics = await trainer.evaluate(weights, task.round);
            await send({ ok: true, metrics });
          } else {
            throw new Error(`unknown task kind ${task.kind}`);
          }
          log.log("info", "task-done", {
            taskId: task.taskId,
            round: task.round,
            kind: TaskKind[task.kind],
            bytesIn: receivedBytes,
            bytesOut,
            durationMs: performance.now() - started,
          });
        } catch (e) {
          const reason = (e as Error).message;
          log.log("warn", "task-failed", { taskId: task.taskId, round: task.round, reason });
          if (!ended) await send({ ok: false, error: reason }).catch(() => {});
        }
      };

      const onTaskReady = (task: Task, payload: Uint8Array | undefined, receivedBytes: number) => {
        log.log("info", "task-received", {
          taskId: task.taskId,
          round: task.round,
          kind: TaskKind[task.kind],
          bytes: receivedBytes,
          receivedAt: performance.timeOrigin + performance.now(),
        });
        queue = queue.then(() => (ended ? undefined : serve(task, payload, receivedBytes)));
      };

      stream.on("data", (m: CoordinatorMessage) => {
        const body = m.body;
        const size = wireSize(m);
        try {
          if (body.case === "welcome") {
            const w: Welcome = body.value;
            if (w.protocolVersion !== PROTOCOL_VERSION) {
              throw new SiteRefusedError(
                grpc.status.FAILED_PRECONDITION,
                `coordinator speaks protocol version ${w.protocolVersion}, this site ${PROTOCOL_VERSION}`,
              );
            }
            welcomed = true;
            // What leaves this site: the federation's filter, narrowed by the site's own.
            sharing = new NameFilter(w.shareInclude, w.shareExclude).and(siteFilter);
            log.log("info", "welcomed", {
              federationId: w.federationId,
              nextRound: w.nextRound,
              shareExclude: w.shareExclude,
            });
          } else if (!welcomed) {
            throw new Error(`coordinator sent ${body.case} before welcome`);
          } else if (body.case === "task") {
            if (incoming !== undefined)
              throw new Error(`task ${body.value.taskId} arrived before the previous task's weights`);
            const task = body.value;
            if (task.weights === undefined) onTaskReady(task, undefined, size);
            else
              incoming = {
                task,
                assembler: new PayloadAssembler(task.weights, "coordinator"),
                receivedBytes: size,
              };
          } else if (body.case === "chunk") {
            if (incoming?.assembler === undefined) throw new Error("weight chunk outside a task");
            incoming.assembler.add(body.value);
            incoming.receivedBytes += size;
            if (incoming.assembler.complete) {
              const { task, assembler, receivedBytes } = incoming;
              incoming = undefined;
              onTaskReady(task, assembler.finish(), receivedBytes);
            }
          } else if (body.case === "shutdown") {
            const reason = body.value.reason;
            log.log("info", "shutdown", { reason });
            queue.then(() => finish({ kind: "shutdown", reason }));
          }
        } catch (e) {
          if (e instanceof SiteRefusedError) return finish(e);
          // A broken task stream cannot be resynchronised: drop the connection and rejoin.
          log.log("warn", "protocol-error", { reason: (e as Error).message });
          finish({ kind: "lost", reason: (e as Error).message, welcomed });
        }
      });
      stream.on("error", (e: grpc.ServiceError) => {
        if (FATAL.has(e.code)) finish(new SiteRefusedError(e.code, e.details));
        else finish({ kind: "lost", reason: e.details || e.message, welcomed });
      });
      stream.on("end", () => finish({ kind: "lost", reason: "coordinator closed the stream", welcomed }));

      const hello = create(HelloSchema, {
        protocolVersion: config.protocolVersion ?? PROTOCOL_VERSION,
        siteId: config.siteId,
        token: config.token ?? "",
        organs: description.organs,
        numTrainingCases: BigInt(description.numTrainingCases),
        resumedRound: store.latestRound(),
      });
      stream.write(siteMessage({ case: "hello", value: hello }));
    });

  let delay = initialDelay;
  let lostSince: number | undefined;
  while (true) {
    const end = await session();
    if (end.kind === "shutdown") return { roundsTrained, lastRound, reason: end.reason };
    if (end.welcomed) {
      delay = initialDelay;
      lostSince = undefined;
    }
    lostSince ??= Date.now();
    if (Date.now() - lostSince > giveUpAfter) {
      throw new Error(
        `site ${config.siteId}: no coordinator at ${config.coordinator} for ${giveUpAfter} ms: ${end.reason}`,
      );
    }
    log.log("info", "reconnecting", { reason: end.reason, delayMs: delay });
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(maxDelay, delay * 2);
  }
}
