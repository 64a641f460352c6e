// Loads the libtorch addon (native/) and describes its raw surface. Only the engine imports this.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { builtAddonPath } from "../util/package-root.js";

export interface NativeTensorHandle {
  readonly shape: number[];
  readonly strides: number[];
  readonly dtype: string;
  readonly device: string;
  readonly numel: number;
  readonly disposed: boolean;
  requiresGrad: boolean;
  readonly isLeaf: boolean;
  readonly gradFn: string | null;
  readonly grad: NativeTensorHandle | null;
  setGrad(grad: NativeTensorHandle | null): void;
  backward(grad?: NativeTensorHandle | null, retainGraph?: boolean, createGraph?: boolean): void;
  dispose(): void;
  toArray(): ArrayBufferView;
  sharedView(): ArrayBufferView;
  item(): number | boolean;
  storageId(): string;
}

export type NativeValue = NativeTensorHandle | number | boolean | string | null | NativeValue[];

interface NativeAddon {
  fromBuffer(data: ArrayBufferView, shape: number[], dtype: string, copy: boolean): NativeTensorHandle;
  resolveOp(name: string, overload: string): number;
  callOp(id: number, args: unknown[], kwargs?: Record<string, unknown>, discard?: boolean): NativeValue;
  opSchemas(name: string): string[];
  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;
  cudaDeviceCount(): number;
  liveHandles(): number;
  cpuCacheBytes(): number;
  emptyCpuCache(): void;
  /** This thread's autocast state for a device type ("cpu" or "cuda"). */
  autocastState(deviceType: string): { enabled: boolean; dtype: string };
  setAutocastState(deviceType: string, enabled: boolean, dtype: string): void;
  /** Enters / leaves an autocast region; returns the nesting depth (leaving the last clears the cast cache). */
  autocastEnter(): number;
  autocastExit(): number;
  /** The bytes torch.save writes for a dict of tensors. */
  pickleSave(names: string[], tensors: NativeTensorHandle[]): Uint8Array;
  buildInfo(): {
    torchVersion: string;
    config: string;
    parallel: string;
    mkldnn: boolean;
    cuda: boolean;
    deterministicAlgorithms: boolean;
  };
}

function locateAddon(): string {
  const path = builtAddonPath("segviz_torch");
  if (existsSync(path)) return path;
  throw new Error(
    "segviz: the libtorch addon is not built (native/build/Release/segviz_torch.node missing); run `bash scripts/setup.sh`",
  );
}

export const native: NativeAddon = createRequire(import.meta.url)(locateAddon()) as NativeAddon;
