// Worker thread: reads preprocessed cases from the cache, cuts and augments patches with the
// engine (one libtorch thread, so workers do not fight the training loop for cores), and sends the
// patches back as transferred buffers.

import { parentPort, workerData } from "node:worker_threads";
import { setNumThreads } from "../../engine/index.js";
import { injectedJitter } from "../../util/injected-jitter.js";
import { readCacheEntry } from "../cache/preprocess-cache.js";
import { fromVolume } from "../transforms/spatial-tensor.js";
import { applyTransform, disposeSamples, type Sample } from "../transforms/transform.js";
import { type AugmentSettings, augmentTransform } from "./augment-settings.js";
import type { FromWorker, JobMessage, ToWorker, WorkerInit } from "./worker-messages.js";

const init = workerData as WorkerInit;
const port = parentPort!;
setNumThreads(1);
const transform = augmentTransform(init.augment);

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

/** Runs every transform branch once on a small synthetic case, so each engine op is resolved now. */
function warmUp(a: AugmentSettings): void {
  const [ni, nj, nk] = a.patchSize.map((n) => n + 2);
  const image = new Float32Array(ni * nj * nk).map((_, i) => (i % 7) / 7);
  const label = new Uint8Array(ni * nj * nk).map((_, i) => (i % 5 === 0 ? 1 : 0));
  const affine = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const everything = augmentTransform({
    ...a,
    numSamples: 2,
    flipProb: 1,
    rot90Prob: 1,
    affine: { prob: 1, rotateRange: [0.1, 0.1, 0.1], scaleRange: [0.1, 0.1, 0.1] },
    intensity: { prob: 1, scale: 0.1, shift: 0.1 },
  });
  const sample: Sample = {
    image: fromVolume({ shape: [ni, nj, nk], dtype: "float32", data: image, affine }, "float32"),
    label: fromVolume({ shape: [ni, nj, nk], dtype: "uint8", data: label, affine }, "uint8"),
  };
  const out = applyTransform(everything, sample, 1);
  for (const s of out) {
    s.image.data.toArray();
    s.label.data.toArray();
  }
  disposeSamples(out);
}

async function runJob(job: JobMessage): Promise<void> {
  try {
    const volumes = await readCacheEntry(job.entryPath);
    if (volumes.image === undefined || volumes.label === undefined) {
      throw new Error(`cache entry ${job.entryPath} lacks an image or a label`);
    }
    const sample: Sample = {
      image: fromVolume(volumes.image, "float32", job.caseName),
      label: fromVolume(volumes.label, "uint8", job.caseName),
    };
    const patches = applyTransform(transform, sample, job.seed);
    const patchShape = patches[0].image.data.shape as [number, number, number];
    const per = patchShape[0] * patchShape[1] * patchShape[2];
    const image = new Float32Array(per * patches.length);
    const label = new Uint8Array(per * patches.length);
    patches.forEach((p, n) => {
      image.set(p.image.data.toArray() as Float32Array, n * per);
      label.set(p.label.data.toArray() as Uint8Array, n * per);
    });
    disposeSamples(patches);
    await injectedJitter();
    send({ type: "result", id: job.id, image, label, patchShape, count: patches.length }, [
      image.buffer,
      label.buffer,
    ]);
  } catch (e) {
    const err = e as Error;
    send({ type: "error", id: job.id, file: job.caseName, message: err.message, stack: err.stack });
  }
}

// Jobs run one at a time: the loader sends a worker its next job only after the previous result.
port.on("message", (msg: ToWorker) => {
  if (msg.type === "stop") port.close();
  else void runJob(msg);
});
warmUp(init.augment);
send({ type: "ready" });
