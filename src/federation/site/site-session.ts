// One connection of a site to the coordinator: Hello, then Welcome, then tasks (each reassembled
// from its chunks) served one at a time in arrival order, until the coordinator shuts the site
// down or the connection is lost.

import * as grpc from "@grpc/grpc-js";
import { SpareBuffer } from "../../util/spare-buffer.js";
import type { Logger } from "../logging/json-logger.js";
import {
  type CoordinatorMessage,
  type Hello,
  type Task,
  TaskKind,
  type WeightChunk,
  type Welcome,
} from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { PayloadAssembler } from "../protocol/payload.js";
import {
  type FederationClient,
  FederationClientConstructor,
  type JoinClientStream,
  siteMessage,
  wireSize,
} from "../protocol/service.js";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import { NameFilter } from "../weights/name-filter.js";
import { decodeWeightSet } from "../weights/weight-set.js";
import type { SiteConfig } from "./config.js";
import { SiteRefusedError } from "./site-refused-error.js";
import type { SiteTasks } from "./site-tasks.js";
import { TaskResultWriter } from "./task-result-writer.js";

export type SessionEnd =
  | { kind: "shutdown"; reason: string; failed: boolean }
  | { kind: "lost"; reason: string; welcomed: boolean };

/** Stream errors that mean the coordinator refused the site rather than lost it. */
const FATAL = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.INVALID_ARGUMENT,
]);

export interface SessionParts {
  config: SiteConfig;
  credentials: grpc.ChannelCredentials;
  options: grpc.ClientOptions;
  /** The Hello to open each session with (it names the site's newest local state). */
  hello: () => Hello;
  /** Names the site itself allows to leave it. */
  siteFilter: NameFilter;
  tasks: SiteTasks;
  log: Logger;
}

/** A task whose weights are still arriving. */
interface IncomingTask {
  task: Task;
  assembler: PayloadAssembler;
  receivedBytes: number;
}

export class SiteSession {
  private readonly client: FederationClient;
  private readonly stream: JoinClientStream;
  private welcomed = false;
  /** What may leave the site; set by Welcome. */
  private sharing: NameFilter | undefined;
  private incoming: IncomingTask | undefined;
  /** The tasks accepted so far, served one after another. */
  private queue = Promise.resolve();
  private ended = false;
  /** Results announced and waiting for the coordinator's upload grant, by task id. */
  private readonly grantWaiters = new Map<string, (granted: boolean) => void>();
  /** The next task's weights are reassembled into this, made ready after the last task. */
  private readonly nextPayload = new SpareBuffer();

  /** Runs one session: resolves how it ended; rejects with SiteRefusedError when refused. */
  static run(parts: SessionParts): Promise<SessionEnd> {
    return new Promise((resolve, reject) => {
      const settle = (end: SessionEnd | Error) => (end instanceof Error ? reject(end) : resolve(end));
      new SiteSession(parts, settle).start();
    });
  }

  private constructor(
    private readonly parts: SessionParts,
    private readonly settle: (end: SessionEnd | Error) => void,
  ) {
    const { config, credentials, options } = parts;
    this.client = new FederationClientConstructor(config.coordinator, credentials, options);
    this.stream = this.client.join();
  }

  private start(): void {
    this.stream.on("data", (m: CoordinatorMessage) => this.onMessage(m));
    this.stream.on("error", (e: grpc.ServiceError) => {
      if (FATAL.has(e.code)) this.finish(new SiteRefusedError(e.code, e.details));
      else this.finish({ kind: "lost", reason: e.details || e.message, welcomed: this.welcomed });
    });
    this.stream.on("end", () =>
      this.finish({ kind: "lost", reason: "coordinator closed the stream", welcomed: this.welcomed }),
    );
    this.stream.write(siteMessage({ case: "hello", value: this.parts.hello() }));
  }

  private finish(end: SessionEnd | Error): void {
    if (this.ended) return;
    this.ended = true;
    this.dropGrantWaiters("the connection ended");
    this.nextPayload.release();
    this.stream.cancel();
    this.client.close();
    this.settle(end);
  }

  private onMessage(m: CoordinatorMessage): void {
    const body = m.body;
    const size = wireSize(m);
    try {
      if (body.case === "welcome") this.onWelcome(body.value);
      else if (!this.welcomed) throw new Error(`coordinator sent ${body.case} before welcome`);
      else if (body.case === "task") this.onTask(body.value, size);
      else if (body.case === "chunk") this.onChunk(body.value, size);
      else if (body.case === "shutdown") this.onShutdown(body.value.reason, body.value.failed);
      else if (body.case === "grant") this.onGrant(body.value.taskId, body.value.refusal);
    } catch (e) {
      if (e instanceof SiteRefusedError) {
        this.finish(e);
        return;
      }
      // A broken task stream cannot be resynchronised: drop the connection and rejoin.
      this.parts.log.log("warn", "protocol-error", { reason: (e as Error).message });
      this.finish({ kind: "lost", reason: (e as Error).message, welcomed: this.welcomed });
    }
  }

  private onWelcome(w: Welcome): void {
    if (w.protocolVersion !== PROTOCOL_VERSION) {
      throw new SiteRefusedError(
        grpc.status.FAILED_PRECONDITION,
        `coordinator speaks protocol version ${w.protocolVersion}, this site ${PROTOCOL_VERSION}`,
      );
    }
    this.welcomed = true;
    // What leaves this site: the federation's filter, narrowed by the site's own.
    this.sharing = new NameFilter(w.shareInclude, w.shareExclude).and(this.parts.siteFilter);
    this.parts.log.log("info", "welcomed", {
      federationId: w.federationId,
      nextRound: w.nextRound,
      shareExclude: w.shareExclude,
    });
  }

  /** Resolves true when the coordinator grants the task's upload, false when it refuses it. */
  private uploadGranted(taskId: string): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => this.grantWaiters.set(taskId, resolve));
  }

  private onGrant(taskId: string, refusal: string): void {
    const waiter = this.grantWaiters.get(taskId);
    if (waiter === undefined) {
      // A grant that crossed a newer task on the wire: that upload was already dropped.
      this.parts.log.log("warn", "stray-grant", { taskId });
      return;
    }
    this.grantWaiters.delete(taskId);
    if (refusal !== "") this.parts.log.log("warn", "upload-refused", { taskId, reason: refusal });
    waiter(refusal === "");
  }

  /** Results still waiting for a grant will not be uploaded (a new task means the coordinator moved on). */
  private dropGrantWaiters(why: string): void {
    for (const [taskId, waiter] of this.grantWaiters) {
      this.parts.log.log("warn", "upload-dropped", { taskId, reason: why });
      waiter(false);
    }
    this.grantWaiters.clear();
  }

  private onTask(task: Task, size: number): void {
    this.dropGrantWaiters(`task ${task.taskId} arrived`);
    if (this.incoming !== undefined)
      throw new Error(`task ${task.taskId} arrived before the previous task's weights`);
    if (task.weights === undefined) this.onTaskReady(task, undefined, size);
    else
      this.incoming = {
        task,
        assembler: new PayloadAssembler(task.weights, "coordinator", undefined, this.nextPayload.take),
        receivedBytes: size,
      };
  }

  private onChunk(chunk: WeightChunk, size: number): void {
    const incoming = this.incoming;
    if (incoming === undefined) throw new Error("weight chunk outside a task");
    incoming.assembler.add(chunk);
    incoming.receivedBytes += size;
    if (incoming.assembler.complete) {
      this.incoming = undefined;
      this.onTaskReady(incoming.task, incoming.assembler.finish(), incoming.receivedBytes);
    }
  }

  private onShutdown(reason: string, failed: boolean): void {
    this.parts.log.log(failed ? "error" : "info", "shutdown", { reason, failed });
    this.dropGrantWaiters("the coordinator shut the site down");
    this.queue.then(() => this.finish({ kind: "shutdown", reason, failed }));
  }

  private onTaskReady(task: Task, payload: Uint8Array | undefined, receivedBytes: number): void {
    this.parts.log.log("info", "task-received", {
      taskId: task.taskId,
      round: task.round,
      kind: TaskKind[task.kind],
      bytes: receivedBytes,
      receivedAt: performance.timeOrigin + performance.now(),
    });
    this.queue = this.queue.then(() => (this.ended ? undefined : this.serve(task, payload, receivedBytes)));
  }

  /** Serves one task; a failure is logged and reported to the coordinator, never thrown. */
  private async serve(task: Task, payload: Uint8Array | undefined, receivedBytes: number): Promise<void> {
    const { config, tasks, log } = this.parts;
    const started = performance.now();
    const reply = new TaskResultWriter(this.stream, task, started, config.chunkBytes, (id) =>
      this.uploadGranted(id),
    );
    try {
      const global =
        payload === undefined ? new Map() : decodeWeightSet(payload, `coordinator task ${task.taskId}`, true);
      // The next task likely brings weights of the same size: fault in their buffer now, while
      // the coordinator waits for this site's training, not after its upload, when the
      // coordinator may be waiting for this site alone to start the next round.
      if (payload !== undefined) this.nextPayload.prepare(payload.length);
      await tasks.perform(task, global, this.sharing!, reply);
      log.log("info", "task-done", {
        taskId: task.taskId,
        round: task.round,
        kind: TaskKind[task.kind],
        bytesIn: receivedBytes,
        bytesOut: reply.bytesOut,
        durationMs: performance.now() - started,
      });
    } catch (e) {
      const reason = (e as Error).message;
      log.log("warn", "task-failed", { taskId: task.taskId, round: task.round, reason });
      if (!this.ended) await reply.send({ ok: false, error: reason }).catch(() => {});
    }
  }
}
