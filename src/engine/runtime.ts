// Process-wide engine settings: threads, seeds, gradient mode, devices.
import { native } from "./native.js";

export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
/** Seeds libtorch's global generator: the same seed gives the same random tensors. */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** Runs fn with autograd recording off (as torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}
/** The lower-precision dtypes autocast accepts. */
export type AutocastDtype = "bfloat16" | "float16";

/**
 * Runs fn with autocast on for a device type, as `with torch.autocast(deviceType, dtype):` does:
 * PyTorch's listed ops (convolutions, matmuls) run in `dtype`, its float32 list in float32, and
 * the previous state comes back afterwards. The state is the calling thread's. This libtorch
 * (1.13) autocasts the CPU to bfloat16 only; float16 needs CUDA.
 */
export function autocast<T>(deviceType: "cpu" | "cuda", dtype: AutocastDtype, fn: () => T): T {
  if (deviceType === "cpu" && dtype !== "bfloat16")
    throw new Error(
      `autocast: the CPU autocasts to bfloat16 only, not ${dtype} (float16 needs a CUDA device)`,
    );
  const prev = native.autocastState(deviceType);
  native.setAutocastState(deviceType, true, dtype);
  native.autocastEnter();
  try {
    return fn();
  } finally {
    native.autocastExit();
    native.setAutocastState(deviceType, prev.enabled, prev.dtype);
  }
}

/** Whether autocast is on for a device type on this thread (and to what dtype). */
export function autocastState(deviceType: "cpu" | "cuda"): { enabled: boolean; dtype: string } {
  return native.autocastState(deviceType);
}

export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
export function cudaAvailable(): boolean {
  return native.cudaDeviceCount() > 0;
}
/** Throws a clear error when a device cannot be used with the linked libtorch. */
export function assertDevice(device: string): void {
  if (device === "cpu") return;
  if (!/^cuda(:\d+)?$/.test(device)) throw new Error(`unknown device '${device}' (use cpu, cuda or cuda:N)`);
  const n = native.cudaDeviceCount();
  if (n === 0)
    throw new Error(
      `device '${device}' requested, but the linked libtorch has no CUDA device; build with LIBTORCH pointing at a CUDA libtorch`,
    );
  const idx = device.includes(":") ? Number(device.split(":")[1]) : 0;
  if (idx >= n) throw new Error(`device '${device}' requested, but only ${n} CUDA device(s) are visible`);
}

/** Handles that still hold a tensor (for leak tests). */
export function liveTensorCount(): number {
  return native.liveHandles();
}
export function buildInfo(): ReturnType<typeof native.buildInfo> {
  return native.buildInfo();
}

/** Bytes of freed CPU tensor memory held for reuse by the addon's caching allocator. */
export function cpuCacheBytes(): number {
  return native.cpuCacheBytes();
}
/** Returns the caching allocator's free blocks to the system (e.g. between phases of a run). */
export function emptyCpuCache(): void {
  native.emptyCpuCache();
}
