// One admitted site's open stream, seen from the coordinator: send it a task (header, then the
// weights in chunks) and wait for its result (header, then its weights in chunks).

import { create } from "@bufbuild/protobuf";
import {
  type CoordinatorMessage,
  type SiteMessage,
  type Task,
  type TaskResult,
  TaskSchema,
  UploadGrantSchema,
  type WeightChunk,
} from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { type OutgoingPayload, PayloadAssembler } from "../protocol/payload.js";
import { coordinatorMessage, type JoinServerStream, shareEncoding, wireSize } from "../protocol/service.js";
import { writeAllWindowed, writeWithBackpressure } from "../protocol/stream-writer.js";
import type { UploadGate } from "./upload-gate.js";

export interface SiteDescription {
  siteId: string;
  organs: string[];
  numTrainingCases: number;
  resumedRound: number;
}

export interface TaskReply {
  result: TaskResult;
  /** The verified safetensors bytes of the result's weights, when it carried any. */
  payload?: Uint8Array;
  /** Why the reply's payload was refused (bad chunk, checksum), when it was. */
  payloadError?: string;
  bytesIn: number;
  bytesOut: number;
  receivedAt: number;
}

/**
 * The largest reply payload a task accepts: what was sent plus a margin for a different header
 * (a site returns the same shared tensors it received), or a small bound when nothing was sent.
 */
export function maxReplyBytes(sentBytes: number | undefined): number {
  if (sentBytes === undefined) return 64 * 1024;
  return sentBytes + Math.max(64 * 1024, Math.ceil(sentBytes / 100));
}

interface Pending {
  maxReplyBytes: number;
  /** Set when the site must wait for a grant before uploading its result's weights. */
  gate?: UploadGate;
  granted?: boolean;
  resolve: (reply: TaskReply) => void;
  reject: (error: Error) => void;
  bytesIn: number;
  bytesOut: number;
  result?: TaskResult;
  assembler?: PayloadAssembler;
}

/** One message per chunk, shared by every site the payload goes to, so it is encoded once. */
const chunkMessages = new WeakMap<WeightChunk, CoordinatorMessage>();
function chunkMessage(chunk: WeightChunk): CoordinatorMessage {
  let m = chunkMessages.get(chunk);
  if (m === undefined) {
    m = shareEncoding(coordinatorMessage({ case: "chunk", value: chunk }));
    chunkMessages.set(chunk, m);
  }
  return m;
}

export class SiteConnection {
  private readonly pending = new Map<string, Pending>();
  private current?: Pending;
  private closedReason?: string;
  private readonly closeListeners: (() => void)[] = [];
  /** Called for messages that belong to no pending task (late results of past rounds). */
  onStray: (taskId: string, why: string) => void = () => {};

  constructor(
    readonly description: SiteDescription,
    private readonly stream: JoinServerStream,
    readonly connectedAt = Date.now(),
  ) {
    stream.on("data", (m: SiteMessage) => this.onMessage(m));
    stream.on("end", () => this.close("site closed the stream"));
    stream.on("error", (e: Error) => this.close(`stream error: ${e.message}`));
    stream.on("close", () => this.close("stream closed"));
    // A site that vanishes (killed, network gone) shows up as a cancelled call, not an error.
    stream.on("cancelled", () => this.close("call cancelled (site gone)"));
    stream.resume(); // admission paused it after the hello
  }

  get siteId(): string {
    return this.description.siteId;
  }

  /** The remote address, as gRPC reports it. */
  get peer(): string {
    return this.stream.getPeer();
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Ends the stream from our side: replaced by a newer connection (no shutdown), or the
   * federation is over, "finished" or "failed" (the site is told which).
   */
  end(reason: string, shutdown?: "finished" | "failed"): void {
    if (shutdown !== undefined && !this.closed) {
      try {
        this.stream.write(
          coordinatorMessage({
            case: "shutdown",
            value: { $typeName: "segviz.federation.v1.Shutdown", reason, failed: shutdown === "failed" },
          }),
        );
      } catch {
        // The stream may already be gone; closing below is what matters.
      }
    }
    this.close(reason);
    if (!this.stream.writableEnded) this.stream.end();
  }

  private close(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    for (const p of this.pending.values()) {
      p.gate?.release(p);
      p.reject(new Error(`site ${this.siteId} disconnected: ${reason}`));
    }
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l();
  }

  /**
   * `maxReply` overrides the reply bound derived from what was sent (a masked update is larger);
   * with `gate`, the site uploads its result's weights only when the gate grants it a slot.
   * `onSent` is called once, when the task and its weights have been handed to the stream or
   * sending them has failed.
   */
  async runTask(
    task: Omit<Task, "$typeName" | "weights" | "awaitUploadGrant">,
    payload?: OutgoingPayload,
    maxReply?: number,
    gate?: UploadGate,
    onSent: () => void = () => {},
  ): Promise<TaskReply> {
    if (this.closed) {
      onSent();
      throw new Error(`site ${this.siteId} disconnected: ${this.closedReason}`);
    }
    const message = coordinatorMessage({
      case: "task",
      value: create(TaskSchema, { ...task, weights: payload?.info, awaitUploadGrant: gate !== undefined }),
    });
    const reply = new Promise<TaskReply>((resolve, reject) => {
      const maxBytes =
        maxReply ?? maxReplyBytes(payload === undefined ? undefined : Number(payload.info.totalBytes));
      this.pending.set(task.taskId, {
        maxReplyBytes: maxBytes,
        gate,
        resolve,
        reject,
        bytesIn: 0,
        bytesOut: 0,
      });
    });
    const p = this.pending.get(task.taskId)!;
    // A stream error while sending rejects `reply` (close()) when only the send's error is
    // returned: that rejection must not go unhandled and bring the coordinator down.
    reply.catch(() => {});
    try {
      await writeWithBackpressure(this.stream, message);
      p.bytesOut += wireSize(message);
      const messages = (payload?.chunks ?? []).map(chunkMessage);
      await writeAllWindowed(this.stream, messages);
      for (const m of messages) p.bytesOut += wireSize(m);
    } catch (e) {
      this.pending.delete(task.taskId);
      throw new Error(`site ${this.siteId}: sending task ${task.taskId} failed: ${(e as Error).message}`);
    } finally {
      onSent();
    }
    return reply;
  }

  /** Forgets a task whose result no longer matters (round timed out); a late reply is a stray. */
  abandon(taskId: string): void {
    const p = this.pending.get(taskId);
    if (p === undefined) return;
    this.pending.delete(taskId);
    if (this.current === p) this.current = undefined;
    p.gate?.release(p);
    p.reject(new Error(`task ${taskId} abandoned`));
  }

  private onMessage(message: SiteMessage): void {
    const size = wireSize(message);
    const body = message.body;
    if (body.case === "result") {
      const p = this.pending.get(body.value.taskId);
      if (p === undefined) {
        this.current = undefined;
        this.onStray(body.value.taskId, "result for a task that is not pending");
        return;
      }
      p.bytesIn += size;
      p.result = body.value;
      this.current = p;
      if (body.value.weights === undefined) {
        this.settle(body.value.taskId, p);
        return;
      }
      try {
        p.assembler = new PayloadAssembler(body.value.weights, `site ${this.siteId}`, p.maxReplyBytes);
      } catch (e) {
        this.settle(body.value.taskId, p, (e as Error).message);
        return;
      }
      const taskId = body.value.taskId;
      p.gate?.request(p, {
        siteId: this.siteId,
        announcedNorm: body.value.updateNorm,
        grant: () => this.grant(taskId, p),
        refuse: (reason) => this.refuse(taskId, p, reason),
      });
      return;
    }
    if (body.case === "chunk") {
      const p = this.current;
      if (p === undefined || p.assembler === undefined || p.result === undefined) {
        this.onStray(body.value.payloadId, "chunk outside a result");
        return;
      }
      p.bytesIn += size;
      if (p.gate !== undefined && !p.granted) {
        this.settle(p.result.taskId, p, "weight chunk sent before the coordinator granted the upload");
        return;
      }
      try {
        p.assembler.add(body.value as WeightChunk);
        if (p.assembler.complete) this.settle(p.result.taskId, p);
      } catch (e) {
        this.settle(p.result.taskId, p, (e as Error).message);
      }
      return;
    }
    this.onStray("", `unexpected ${body.case ?? "empty"} message after hello`);
  }

  /** Tells the site it may send the result's chunks now. */
  private grant(taskId: string, p: Pending): void {
    p.granted = true;
    this.sendGrant(taskId, "");
  }

  /** Settles the task as rejected without its upload, and tells the site to drop it. */
  private refuse(taskId: string, p: Pending, reason: string): void {
    this.settle(taskId, p, reason);
    this.sendGrant(taskId, reason);
  }

  private sendGrant(taskId: string, refusal: string): void {
    try {
      this.stream.write(
        coordinatorMessage({ case: "grant", value: create(UploadGrantSchema, { taskId, refusal }) }),
      );
    } catch (e) {
      this.close(`sending the upload grant failed: ${(e as Error).message}`);
    }
  }

  private settle(taskId: string, p: Pending, payloadError?: string): void {
    this.pending.delete(taskId);
    this.current = undefined;
    p.gate?.release(p);
    let payload: Uint8Array | undefined;
    if (payloadError === undefined && p.assembler !== undefined) {
      try {
        payload = p.assembler.finish();
      } catch (e) {
        payloadError = (e as Error).message;
      }
    }
    p.resolve({
      result: p.result!,
      payload,
      payloadError,
      bytesIn: p.bytesIn,
      bytesOut: p.bytesOut,
      receivedAt: performance.timeOrigin + performance.now(),
    });
  }
}
