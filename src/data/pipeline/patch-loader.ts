// Training patches from worker threads: an async iterator of batches per epoch, with a bounded
// number of case jobs in flight, deterministic for a seed whatever the number of workers (each case
// visit has its own seed, derived from (seed, epoch, case index), and batches are assembled in a
// fixed order), errors that name the case's file, and a shutdown that leaves no worker running.
//
// Workers are started one after another and each resolves its engine operators during a warm-up
// before the next starts, because the addon's operator table is shared by all threads.

import { Worker } from "node:worker_threads";
import { DataError } from "../errors.js";
import type { AugmentSettings } from "./augment-settings.js";
import { caseOrder, visitSeed } from "./case-order.js";
import type { HostPatchBatch, PatchSource } from "./patch-source.js";
import type { FromWorker, JobMessage, PatchResult, WorkerInit } from "./worker-messages.js";

export interface PatchEntry {
  /** Cache entry file (from PreprocessCache). */
  path: string;
  /** The case's source file, named in errors. */
  name: string;
}

interface PatchLoaderOptions {
  entries: readonly PatchEntry[];
  augment: AugmentSettings;
  batchSize: number;
  seed: number;
  workers?: number;
  /** Case jobs dispatched but not yet consumed, at most (default 2 per worker). */
  prefetch?: number;
  /** Visit cases in a seeded random order per epoch (default true). */
  shuffle?: boolean;
}

export type { HostPatchBatch, PatchBatch } from "./patch-source.js";

interface Slot {
  worker: Worker;
  busy: JobMessage | null;
  exited: boolean;
}

type Outcome = { ok: true; result: PatchResult } | { ok: false; error: Error };

const WORKER_URL = new URL("./patch-worker.js", import.meta.url);

export class PatchLoader implements PatchSource {
  private readonly opts: Required<PatchLoaderOptions>;
  private readonly slots: Slot[] = [];
  private readonly pending: JobMessage[] = [];
  private readonly outcomes = new Map<number, Outcome>();
  private wake: (() => void) | null = null;
  private nextJobId = 0;
  private closed = false;
  private fatal: Error | null = null;
  /** Jobs of abandoned epochs whose results are still to come; they are discarded on arrival. */
  private readonly dropped = new Set<number>();

  private constructor(opts: PatchLoaderOptions) {
    if (opts.entries.length === 0) throw new Error("PatchLoader: no cases given");
    if (!(opts.batchSize >= 1)) throw new Error(`PatchLoader: batchSize must be >= 1, got ${opts.batchSize}`);
    const workers = opts.workers ?? 1;
    this.opts = {
      workers,
      prefetch: opts.prefetch ?? 2 * workers,
      shuffle: opts.shuffle ?? true,
      ...opts,
    } as Required<PatchLoaderOptions>;
  }

  static async create(opts: PatchLoaderOptions): Promise<PatchLoader> {
    const loader = new PatchLoader(opts);
    try {
      for (let w = 0; w < loader.opts.workers; w++) await loader.startWorker(w);
    } catch (e) {
      await loader.close();
      throw e;
    }
    return loader;
  }

  get liveWorkers(): number {
    return this.slots.filter((s) => !s.exited).length;
  }

  private startWorker(index: number): Promise<void> {
    const init: WorkerInit = { workerIndex: index, augment: this.opts.augment };
    const worker = new Worker(WORKER_URL, { workerData: init });
    const slot: Slot = { worker, busy: null, exited: false };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on("message", (msg: FromWorker) => {
        if (msg.type === "ready") {
          ready = true;
          resolve();
        } else this.onResult(slot, msg);
      });
      worker.on("error", (err) => {
        if (!ready)
          reject(new Error(`patch worker ${index} failed to start: ${err.message}`, { cause: err }));
        else this.onWorkerLost(slot, err);
      });
      worker.on("exit", (code) => {
        slot.exited = true;
        if (!ready) reject(new Error(`patch worker ${index} exited during start (code ${code})`));
        else if (!this.closed) this.onWorkerLost(slot, new Error(`worker exited with code ${code}`));
      });
    });
  }

  private onResult(slot: Slot, msg: FromWorker): void {
    if (msg.type === "ready") return;
    slot.busy = null;
    if (this.dropped.delete(msg.id)) {
      this.dispatch();
      return;
    }
    this.outcomes.set(
      msg.id,
      msg.type === "result"
        ? { ok: true, result: msg }
        : { ok: false, error: new DataError(msg.file, msg.message) },
    );
    this.dispatch();
    this.notify();
  }

  private onWorkerLost(slot: Slot, err: Error): void {
    const job = slot.busy;
    slot.busy = null;
    slot.exited = true;
    const file = job?.caseName ?? "(no case)";
    this.fatal = new DataError(file, `patch worker died: ${err.message}`, { cause: err });
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.exited || slot.busy !== null || this.pending.length === 0) continue;
      const job = this.pending.shift()!;
      slot.busy = job;
      slot.worker.postMessage(job);
    }
  }

  /** Case order of an epoch (seeded shuffle, or the given order). */
  caseOrder(epoch: number): number[] {
    return caseOrder(this.opts.entries.length, this.opts.seed, epoch, this.opts.shuffle);
  }

  /** The batches of one epoch: every case visited once, numSamples patches each. */
  async *epoch(epoch: number): AsyncGenerator<HostPatchBatch, void, undefined> {
    if (this.closed) throw new Error("PatchLoader: closed");
    const order = this.caseOrder(epoch);
    const jobs: JobMessage[] = order.map((c) => ({
      type: "job",
      id: this.nextJobId++,
      entryPath: this.opts.entries[c].path,
      caseName: this.opts.entries[c].name,
      seed: visitSeed(this.opts.seed, epoch, c),
    }));
    let queued = 0;
    const fill = (consumed: number) => {
      while (queued < jobs.length && queued - consumed < this.opts.prefetch)
        this.pending.push(jobs[queued++]);
      this.dispatch();
    };
    let batch: { image: Float32Array[]; label: Uint8Array[]; cases: string[]; shape: number[] | null } = {
      image: [],
      label: [],
      cases: [],
      shape: null,
    };
    try {
      for (let n = 0; n < jobs.length; n++) {
        fill(n);
        const result = await this.outcome(jobs[n].id);
        if (batch.shape !== null && result.patchShape.some((d, a) => d !== batch.shape![a])) {
          throw new DataError(
            jobs[n].caseName,
            `patch shape ${result.patchShape} differs from ${batch.shape} in the same batch`,
          );
        }
        const [k, j, i] = result.patchShape;
        const per = k * j * i;
        for (let p = 0; p < result.count; p++) {
          batch.image.push(result.image.subarray(p * per, (p + 1) * per));
          batch.label.push(result.label.subarray(p * per, (p + 1) * per));
          batch.cases.push(jobs[n].caseName);
          batch.shape = result.patchShape;
          if (batch.image.length === this.opts.batchSize) {
            yield assemble(batch);
            batch = { image: [], label: [], cases: [], shape: null };
          }
        }
      }
      if (batch.image.length > 0) yield assemble(batch);
    } finally {
      // Stop feeding this epoch; results of jobs still running are dropped when they arrive.
      const ids = new Set(jobs.map((j) => j.id));
      for (let p = this.pending.length - 1; p >= 0; p--)
        if (ids.has(this.pending[p].id)) this.pending.splice(p, 1);
      for (const id of ids) {
        if (!this.outcomes.delete(id)) this.dropped.add(id);
      }
    }
  }

  private async outcome(id: number): Promise<PatchResult> {
    for (;;) {
      if (this.fatal !== null) throw this.fatal;
      const o = this.outcomes.get(id);
      if (o !== undefined) {
        this.outcomes.delete(id);
        if (!o.ok) throw o.error;
        return o.result;
      }
      if (this.closed) throw new Error("PatchLoader: closed while waiting for patches");
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Stops every worker and waits until they have exited. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    this.notify();
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.exited) return;
        const exited = new Promise<void>((resolve) => slot.worker.once("exit", () => resolve()));
        // An idle worker leaves by itself on "stop"; a busy one is terminated.
        if (slot.busy === null) slot.worker.postMessage({ type: "stop" });
        else await slot.worker.terminate();
        const timer = setTimeout(() => void slot.worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function assemble(b: {
  image: Float32Array[];
  label: Uint8Array[];
  cases: string[];
  shape: number[] | null;
}): HostPatchBatch {
  const [k, j, i] = b.shape!;
  const per = k * j * i;
  const image = new Float32Array(per * b.image.length);
  const label = new Uint8Array(per * b.label.length);
  b.image.forEach((x, n) => {
    image.set(x, n * per);
  });
  b.label.forEach((x, n) => {
    label.set(x, n * per);
  });
  return { image, label, shape: [b.image.length, 1, k, j, i], cases: b.cases };
}
