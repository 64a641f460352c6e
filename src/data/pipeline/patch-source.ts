// What a trainer reads patches from: the worker loader (host arrays) or the device loader
// (tensors already on the training device).
import type { Tensor } from "../../engine/index.js";

/** A batch in engine layout [batch, channel=1, k, j, i], in host memory (Tensor.fromArray). */
export interface HostPatchBatch {
  image: Float32Array;
  label: Uint8Array;
  shape: [number, number, number, number, number];
  /** Source file of each patch. */
  cases: string[];
}

/** The same on the training device, as tensors the consumer owns and disposes. */
export interface DevicePatchBatch {
  image: Tensor;
  label: Tensor;
  shape: [number, number, number, number, number];
  cases: string[];
}

export type PatchBatch = HostPatchBatch | DevicePatchBatch;

export interface PatchSource {
  /** The batches of one epoch; the same epoch gives the same batches. */
  epoch(epoch: number): AsyncGenerator<PatchBatch, void, undefined>;
  close(): Promise<void>;
}
