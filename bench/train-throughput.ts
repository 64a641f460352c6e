// Benchmark: whole training throughput in patches per second, ours and MONAI's own pipeline in the
// same run over the same cached volumes. Both read preprocessed phantom CT (liver labels, the
// study's 1.5 x 1.5 x 2 mm grid and window), draw the study's patches (4 crops of 128 x 128 x 32
// per case visit at pos:neg 1:1, random affine, intensity scale and shift) with `workers`
// loader workers, and either only load batches ("loader": what a GPU would be fed) or also take
// a training step of the SegViz UNet on each (Dice loss, Adam). MONAI runs from SEGVIZ_MONAI
// (a MONAI source folder) or whatever `import monai` finds; without it, only ours is printed.

import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeEntry } from "../src/data/cache/entry-format.js";
import { generatePhantom, PHANTOM_ORGAN_LABELS } from "../src/data/phantom/index.js";
import { SEGVIZ_AUGMENT } from "../src/data/pipeline/augment-settings.js";
import { DevicePatchLoader, PatchLoader, type PatchSource } from "../src/data/pipeline/index.js";
import { preprocessVolumes } from "../src/data/pipeline/preprocess-case.js";
import { SEGVIZ_PREPROCESS } from "../src/data/pipeline/preprocess-settings.js";
import type { Volume } from "../src/data/volume.js";
import { manualSeed, setNumThreads, Tensor, tidy } from "../src/engine/index.js";
import { DiceLoss } from "../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../src/nn/monai/unet.js";
import { Adam } from "../src/nn/optim/adam.js";
import { REFERENCE_PYTHON, referenceScript } from "./reference-python.js";

export interface ThroughputOptions {
  threads: number;
  workers: number;
  steps: number;
  warmup: number;
  cases: number;
  mode: "loader" | "train";
  /** Where ours cuts patches: worker threads, or the training device (augment.placement). */
  placement: "workers" | "device";
  /** Where the training step runs (both sides), and ours's patches with placement "device". */
  device: string;
  /** Leave MONAI out (e.g. while sampling the GPU's utilisation of ours alone). */
  skipMonai?: boolean;
}

export interface Throughput {
  impl: string;
  mode: string;
  patches: number;
  seconds: number;
  patches_per_s: number;
  peak_rss_mb: number;
  version?: string;
}

const PATCH = SEGVIZ_AUGMENT.patchSize;
const BATCH_CASES = 2;

/** Phantom cases preprocessed as the study does, in our cache and as raw arrays for Python. */
async function writeCases(
  dir: string,
  count: number,
): Promise<{ entries: { path: string; name: string }[] }> {
  const settings = { ...SEGVIZ_PREPROCESS, minSize: PATCH };
  const entries: { path: string; name: string }[] = [];
  const cases: { image: string; label: string; shape: number[] }[] = [];
  for (let c = 0; c < count; c++) {
    const phantom = generatePhantom({ seed: c + 1 });
    const image: Volume = {
      ...phantom.image,
      dtype: "float32",
      data: Float32Array.from(phantom.image.data as Int16Array),
    };
    const liver = Uint8Array.from(phantom.labels.data as Uint8Array, (v) =>
      v === PHANTOM_ORGAN_LABELS.liver ? 1 : 0,
    );
    const label: Volume = { ...phantom.labels, data: liver };
    const volumes = preprocessVolumes(image, label, settings, `phantom-${c + 1}`);
    // A cache entry as the preprocessing cache writes it: what the loader workers read.
    const path = join(dir, `case-${c}.svzc`);
    await writeFile(path, Buffer.concat(encodeEntry(`bench-${c}`, volumes)));
    entries.push({ path, name: `phantom-${c + 1}` });
    const img = volumes.image!;
    const lab = volumes.label!;
    await writeFile(join(dir, `case-${c}.f32`), new Uint8Array((img.data as Float32Array).buffer));
    await writeFile(join(dir, `case-${c}.u8`), lab.data as Uint8Array);
    cases.push({ image: `case-${c}.f32`, label: `case-${c}.u8`, shape: img.shape.slice(0, 3) });
  }
  const spec = {
    patch: PATCH,
    numSamples: SEGVIZ_AUGMENT.numSamples,
    batchSize: BATCH_CASES,
    channels: SEGVIZ_UNET.channels,
    cases,
  };
  await writeFile(join(dir, "cases.json"), JSON.stringify(spec));
  return { entries };
}

async function ours(entries: { path: string; name: string }[], o: ThroughputOptions): Promise<Throughput> {
  setNumThreads(o.threads);
  // As MONAI's DataLoader: BATCH_CASES case visits of numSamples crops each per batch.
  const common = {
    entries,
    augment: SEGVIZ_AUGMENT,
    batchSize: BATCH_CASES * SEGVIZ_AUGMENT.numSamples,
    seed: 1,
  };
  const loader: PatchSource =
    o.placement === "device"
      ? await DevicePatchLoader.create({ ...common, device: o.device })
      : await PatchLoader.create({ ...common, workers: o.workers });
  manualSeed(0);
  const train = o.mode === "train";
  const net = train ? new UNet(SEGVIZ_UNET).toDevice(o.device).train() : undefined;
  const opt = net ? new Adam(net.namedParameters(), { lr: 1e-4 }) : undefined;
  const lossFn = new DiceLoss({ toOnehotY: true, softmax: true });
  let patches = 0;
  let start = 0;
  let step = 0;
  try {
    for (let epoch = 0; step < o.warmup + o.steps; epoch++) {
      for await (const b of loader.epoch(epoch)) {
        if (step === o.warmup) {
          start = performance.now();
          patches = 0;
        }
        if (net && opt)
          tidy(() => {
            const x = b.image instanceof Tensor ? b.image : Tensor.fromArray(b.image, b.shape);
            const y = (b.label instanceof Tensor ? b.label : Tensor.fromArray(b.label, b.shape)).to({
              dtype: "float32",
              device: o.device,
            });
            opt.zeroGrad(false);
            lossFn.forward(net.forward(x.to({ device: o.device })), y).backward();
            opt.step();
          });
        else if (b.image instanceof Tensor) b.image.toArray(); // waits for the device's work
        if (b.image instanceof Tensor) {
          b.image.dispose();
          (b.label as Tensor).dispose();
        }
        patches += b.shape[0];
        if (++step >= o.warmup + o.steps) break;
      }
    }
  } finally {
    await loader.close();
    opt?.dispose();
    net?.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    impl: "segviz",
    mode: o.mode,
    patches,
    seconds,
    patches_per_s: patches / seconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** MONAI's pipeline in its own process, or why it could not run. */
function monai(dir: string, o: ThroughputOptions): Throughput | string {
  const env = { ...process.env };
  if (process.env.SEGVIZ_MONAI)
    env.PYTHONPATH = [process.env.SEGVIZ_MONAI, env.PYTHONPATH].filter(Boolean).join(":");
  const probe = spawnSync(REFERENCE_PYTHON, ["-B", "-c", "import monai"], { env, encoding: "utf8" });
  if (probe.status !== 0)
    return `MONAI is not importable by ${REFERENCE_PYTHON} (set SEGVIZ_MONAI to a MONAI source folder): ${probe.stderr.trim().split("\n").pop()}`;
  const args = [
    "--workers",
    o.workers,
    "--threads",
    o.threads,
    "--steps",
    o.steps,
    "--warmup",
    o.warmup,
    "--mode",
    o.mode,
    "--device",
    o.device,
  ];
  const r = spawnSync(
    REFERENCE_PYTHON,
    ["-B", referenceScript("monai_train_throughput.py"), dir, ...args.map(String)],
    {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`MONAI throughput reference failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Throughput;
}

/** Both pipelines on the same cases, MONAI first (each in its own process or loader threads). */
export async function benchTrainThroughput(
  o: ThroughputOptions,
): Promise<{ ours: Throughput; monai: Throughput | string }> {
  const dir = await mkdtemp(join(tmpdir(), "segviz-bench-train-"));
  try {
    const { entries } = await writeCases(dir, o.cases);
    const reference = o.skipMonai ? "left out (--skip-monai)" : monai(dir, o);
    return { ours: await ours(entries, o), monai: reference };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
