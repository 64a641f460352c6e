// Messages between the patch loader and its workers.

import type { AugmentSettings } from "./augment-settings.js";

export interface WorkerInit {
  workerIndex: number;
  augment: AugmentSettings;
}

export interface JobMessage {
  type: "job";
  /** Identifies the job within the loader's lifetime. */
  id: number;
  entryPath: string;
  /** The case's source file, named in errors. */
  caseName: string;
  seed: number;
}

export type ToWorker = JobMessage | { type: "stop" };

export interface PatchResult {
  type: "result";
  id: number;
  /** numSamples patches back to back, each [k, j, i]. */
  image: Float32Array;
  label: Uint8Array;
  /** One patch's engine shape [k, j, i]. */
  patchShape: [number, number, number];
  count: number;
}

export type FromWorker =
  | { type: "ready" }
  | PatchResult
  | { type: "error"; id: number; file: string; message: string; stack?: string };
