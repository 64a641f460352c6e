// The device patch loader (augment.placement "device") against the worker loader: on a CPU both cut
// and augment the same patches bit for bit for a seed (same visit seeds, same draws, same engine
// ops), also when volumes must first be padded, and a trainer fed by either ends with the same
// weights; its tensors are freed; a bad cache entry is named.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type AugmentSettings, DevicePatchLoader, PatchLoader } from "../../../src/data/pipeline/index.js";
import { liveTensorCount, manualSeed, setNumThreads } from "../../../src/engine/index.js";
import { MultiHeadUNet } from "../../../src/nn/monai/multi-head-unet.js";
import { taskHeads } from "../../../src/training/trainer/heads.js";
import { Trainer } from "../../../src/training/trainer/trainer.js";
import { cachedEntries, SMALL_AUGMENT, tempDir } from "./fixtures.js";

let dir: string;
let cleanup: () => Promise<void>;
let entries: { path: string; name: string }[];

before(async () => {
  ({ dir, cleanup } = await tempDir());
  entries = await cachedEntries(dir, 3);
});
after(() => cleanup());

interface Plain {
  image: number[];
  label: number[];
  shape: number[];
  cases: string[];
}

async function workerBatches(augment: AugmentSettings, epochs: number[]): Promise<Plain[]> {
  const loader = await PatchLoader.create({ entries, augment, batchSize: 4, seed: 7, workers: 2 });
  const out: Plain[] = [];
  try {
    for (const e of epochs)
      for await (const b of loader.epoch(e))
        out.push({ image: [...b.image], label: [...b.label], shape: b.shape, cases: b.cases });
  } finally {
    await loader.close();
  }
  return out;
}

async function deviceBatches(augment: AugmentSettings, epochs: number[]): Promise<Plain[]> {
  const loader = await DevicePatchLoader.create({ entries, augment, batchSize: 4, seed: 7, device: "cpu" });
  const out: Plain[] = [];
  try {
    for (const e of epochs)
      for await (const b of loader.epoch(e)) {
        assert.equal(b.image.device, "cpu");
        assert.deepEqual(b.image.shape, b.shape);
        out.push({
          image: [...(b.image.toArray() as Float32Array)],
          label: [...(b.label.toArray() as Uint8Array)],
          shape: b.shape,
          cases: b.cases,
        });
        b.image.dispose();
        b.label.dispose();
      }
  } finally {
    await loader.close();
  }
  return out;
}

test("the device loader cuts the worker loader's patches bit for bit (flips, quarter turns, affine, intensity)", async () => {
  const epochs = [0, 1, 2];
  const [workers, device] = [
    await workerBatches(SMALL_AUGMENT, epochs),
    await deviceBatches(SMALL_AUGMENT, epochs),
  ];
  assert.equal(device.length, workers.length);
  assert.equal(workers.length, 6); // 3 epochs x (3 cases x 2 patches = 4 + 2)
  device.forEach((b, n) => {
    assert.deepEqual(b.shape, workers[n]!.shape);
    assert.deepEqual(b.cases, workers[n]!.cases);
    assert.deepEqual(b.label, workers[n]!.label, `batch ${n}: labels differ`);
    assert.deepEqual(b.image, workers[n]!.image, `batch ${n}: images differ`);
  });
  assert.notDeepEqual(device[0]!.image, device[2]!.image, "epochs differ");
});

test("volumes smaller than the patch are padded once on load, with the same result", async () => {
  // No quarter turns: they would turn a 48x16 patch into 16x48.
  const augment: AugmentSettings = { ...SMALL_AUGMENT, patchSize: [48, 16, 16], rot90Prob: 0 };
  const [workers, device] = [await workerBatches(augment, [0]), await deviceBatches(augment, [0])];
  assert.deepEqual(workers[0]!.shape, [4, 1, 16, 16, 48]);
  assert.deepEqual(device, workers);
});

test("closing frees every tensor, also after an epoch left early", async () => {
  const baseline = liveTensorCount();
  const loader = await DevicePatchLoader.create({
    entries,
    augment: SMALL_AUGMENT,
    batchSize: 4,
    seed: 1,
    device: "cpu",
  });
  assert.ok(loader.residentBytes > 0);
  for await (const b of loader.epoch(0)) {
    b.image.dispose();
    b.label.dispose();
    break;
  }
  await loader.close();
  assert.equal(liveTensorCount(), baseline);
  await assert.rejects(async () => {
    for await (const _ of loader.epoch(1)) break;
  }, /closed/);
});

test("an unreadable cache entry is an error naming the case", async () => {
  const bad = join(dir, "broken.entry");
  await writeFile(bad, "not an entry");
  await assert.rejects(
    DevicePatchLoader.create({
      entries: [...entries, { path: bad, name: "/data/case-broken.nii.gz" }],
      augment: SMALL_AUGMENT,
      batchSize: 4,
      seed: 1,
      device: "cpu",
    }),
    /^DataError: \/data\/case-broken\.nii\.gz: cannot read its cache entry/,
  );
});

test("a trainer fed device batches ends with the weights the worker batches give", async () => {
  setNumThreads(2);
  const heads = [{ task: "organ", organs: ["organ"] }];
  const weights = async (placement: "workers" | "device") => {
    manualSeed(3);
    const model = new MultiHeadUNet(
      { inChannels: 1, outChannels: 2, channels: [4, 8], strides: [2], numResUnits: 1, norm: "batch" },
      taskHeads(heads),
    );
    const trainer = new Trainer(model, { organs: ["organ"], heads, loss: "dice", lr: 1e-2, seed: 1 });
    const o = { entries, augment: SMALL_AUGMENT, batchSize: 4, seed: 5 };
    const source =
      placement === "device"
        ? await DevicePatchLoader.create({ ...o, device: "cpu" })
        : await PatchLoader.create({ ...o, workers: 1 });
    try {
      for (let e = 0; e < 2; e++) await trainer.trainEpoch({ batches: (epoch) => source.epoch(epoch) });
    } finally {
      await source.close();
    }
    const out = new Map([...model.stateDict()].map(([k, v]) => [k, [...(v.toArray() as Float32Array)]]));
    trainer.dispose();
    model.dispose();
    return out;
  };
  const fromWorkers = await weights("workers");
  // Counted around the device run only: the count is process-wide, and an exited patch worker's
  // leftover handles (freed by its garbage collector, or not) may still leave it meanwhile.
  const baseline = liveTensorCount();
  const fromDevice = await weights("device");
  assert.ok(liveTensorCount() <= baseline, "the trainer freed every device batch");
  for (const [k, v] of fromWorkers) assert.deepEqual(fromDevice.get(k), v, `${k} differs`);
});
