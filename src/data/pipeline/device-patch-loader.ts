// Training patches cut on the training device (MONAI's CacheDataset + ToDeviced + augmentation on
// the GPU): every cached case is read once, padded to the patch size and kept on the device; each
// visit then crops and augments there with the same engine ops, random draws and visit seeds as
// the worker loader, so on a CPU both give the same batches bit for bit, and on CUDA the same up
// to the device's interpolation arithmetic. No patch crosses the PCIe bus; only each volume's
// voxel classes (for choosing crop centres) come back to the host, once.

import { stack, type Tensor, tidy } from "../../engine/index.js";
import { readCacheEntry } from "../cache/preprocess-cache.js";
import { DataError } from "../errors.js";
import { fromVolume } from "../transforms/spatial-tensor.js";
import {
  applyTransform,
  disposeSamples,
  runTransformOn,
  type Sample,
  type Transform,
} from "../transforms/transform.js";
import { type AugmentSettings, augmentTransform, patchPad } from "./augment-settings.js";
import { caseOrder, visitSeed } from "./case-order.js";
import type { PatchEntry } from "./patch-loader.js";
import type { DevicePatchBatch, PatchSource } from "./patch-source.js";

interface DevicePatchLoaderOptions {
  entries: readonly PatchEntry[];
  augment: AugmentSettings;
  batchSize: number;
  seed: number;
  /** "cpu" or "cuda[:n]": where the volumes live and the patches are cut. */
  device: string;
  /** Visit cases in a seeded random order per epoch (default true). */
  shuffle?: boolean;
  /** Cases read from the cache at once while loading (default 2). */
  readConcurrency?: number;
}

/** A case padded to at least the patch size, on the device. */
async function loadCase(entry: PatchEntry, augment: AugmentSettings, device: string): Promise<Sample> {
  let volumes: Awaited<ReturnType<typeof readCacheEntry>>;
  try {
    volumes = await readCacheEntry(entry.path);
  } catch (e) {
    throw new DataError(entry.name, `cannot read its cache entry: ${(e as Error).message}`, { cause: e });
  }
  if (volumes.image === undefined || volumes.label === undefined)
    throw new DataError(entry.name, `cache entry ${entry.path} lacks an image or a label`);
  const host: Sample = {
    image: fromVolume(volumes.image, "float32", entry.name),
    label: fromVolume(volumes.label, "uint8", entry.name),
  };
  const [padded] = applyTransform(patchPad(augment), host, 0);
  if (device === "cpu") return padded!;
  const moved: Sample = {};
  for (const [key, item] of Object.entries(padded!)) {
    moved[key] = { data: item.data.to({ device }), affine: item.affine };
    item.data.dispose();
  }
  return moved;
}

export class DevicePatchLoader implements PatchSource {
  private readonly transform: Transform;
  /** The cached volumes' tensors: a patch that is a whole volume is one of these, never freed with the batch. */
  private readonly resident: ReadonlySet<Tensor>;
  private closed = false;

  private constructor(
    private readonly opts: DevicePatchLoaderOptions,
    private readonly cases: Sample[],
  ) {
    this.transform = augmentTransform(opts.augment, { pad: false });
    this.resident = new Set(cases.flatMap((c) => Object.values(c).map((item) => item.data)));
  }

  /** Reads every case into device memory; errors name the case's file. */
  static async create(opts: DevicePatchLoaderOptions): Promise<DevicePatchLoader> {
    if (opts.entries.length === 0) throw new Error("DevicePatchLoader: no cases given");
    if (!(opts.batchSize >= 1))
      throw new Error(`DevicePatchLoader: batchSize must be >= 1, got ${opts.batchSize}`);
    const cases: Sample[] = new Array(opts.entries.length);
    const concurrency = Math.max(1, opts.readConcurrency ?? 2);
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: Math.min(concurrency, opts.entries.length) }, async () => {
          while (next < opts.entries.length) {
            const i = next++;
            cases[i] = await loadCase(opts.entries[i]!, opts.augment, opts.device);
          }
        }),
      );
    } catch (e) {
      disposeSamples(cases.filter((c) => c !== undefined));
      throw e;
    }
    return new DevicePatchLoader(opts, cases);
  }

  /** Bytes of device memory the cached cases hold. */
  get residentBytes(): number {
    let bytes = 0;
    for (const t of this.resident) bytes += t.numel * (t.dtype === "uint8" ? 1 : 4);
    return bytes;
  }

  async *epoch(epoch: number): AsyncGenerator<DevicePatchBatch, void, undefined> {
    if (this.closed) throw new Error("DevicePatchLoader: closed");
    const { entries, seed, batchSize } = this.opts;
    const order = caseOrder(entries.length, seed, epoch, this.opts.shuffle ?? true);
    let images: Tensor[] = [];
    let labels: Tensor[] = [];
    let names: string[] = [];
    const flush = (): DevicePatchBatch => {
      const batch = tidy(() => ({
        image: stack(images).unsqueeze(1),
        label: stack(labels).unsqueeze(1),
      }));
      const [b, , k, j, i] = batch.image.shape;
      const out: DevicePatchBatch = { ...batch, shape: [b!, 1, k!, j!, i!], cases: names };
      this.release(images, labels);
      images = [];
      labels = [];
      names = [];
      return out;
    };
    try {
      for (const c of order) {
        const sample = this.cases[c]!;
        let patches: Sample[];
        try {
          patches = runTransformOn(this.transform, sample, visitSeed(seed, epoch, c));
        } catch (e) {
          throw new DataError(entries[c]!.name, (e as Error).message, { cause: e });
        }
        for (const p of patches) {
          const shape = p.image!.data.shape;
          if (images.length > 0 && shape.some((d, a) => d !== images[0]!.shape[a])) {
            this.release(
              patches.map((q) => q.image!.data),
              patches.map((q) => q.label!.data),
            );
            throw new DataError(
              entries[c]!.name,
              `patch shape ${shape} differs from ${images[0]!.shape} in the same batch`,
            );
          }
          images.push(p.image!.data);
          labels.push(p.label!.data);
          names.push(entries[c]!.name);
          if (images.length === batchSize) yield flush();
        }
      }
      if (images.length > 0) yield flush();
    } finally {
      this.release(images, labels);
    }
  }

  /** Disposes patch tensors, except any that is a cached volume itself (a crop of the whole volume). */
  private release(...groups: Tensor[][]): void {
    for (const g of groups) for (const t of g) if (!this.resident.has(t) && !t.isDisposed) t.dispose();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    disposeSamples(this.cases);
  }
}
