// The worker patch loader: deterministic batches for a seed, errors naming the case file, clean
// shutdown; and dataset preprocessing through the cache with progress lines.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PreprocessCache } from "../../../src/data/cache/index.js";
import {
  type HostPatchBatch,
  PatchLoader,
  preprocessDataset,
  SEGVIZ_PREPROCESS,
} from "../../../src/data/pipeline/index.js";
import { cachedEntries, SMALL_AUGMENT, tempDir, writeCase } from "./fixtures.js";

let dir: string;
let cleanup: () => Promise<void>;
let entries: { path: string; name: string }[];

before(async () => {
  ({ dir, cleanup } = await tempDir());
  entries = await cachedEntries(dir, 3);
});
after(() => cleanup());

async function collect(loader: PatchLoader, epoch: number): Promise<HostPatchBatch[]> {
  const out: HostPatchBatch[] = [];
  for await (const b of loader.epoch(epoch)) out.push(b);
  return out;
}

test("batches are deterministic for a seed, whatever the worker count", async () => {
  const a = await PatchLoader.create({
    entries,
    augment: SMALL_AUGMENT,
    batchSize: 4,
    seed: 7,
    workers: 2,
    prefetch: 2,
  });
  const b = await PatchLoader.create({ entries, augment: SMALL_AUGMENT, batchSize: 4, seed: 7, workers: 1 });
  try {
    const [a0, b0] = [await collect(a, 0), await collect(b, 0)];
    assert.equal(a0.length, 2); // 3 cases x 2 patches = 6 = 4 + 2
    assert.deepEqual(a0[0].shape, [4, 1, 8, 16, 16]);
    assert.deepEqual(a0[1].shape, [2, 1, 8, 16, 16]);
    a0.forEach((batch, n) => {
      assert.deepEqual(batch.cases, b0[n].cases);
      assert.deepEqual(batch.image, b0[n].image);
      assert.deepEqual(batch.label, b0[n].label);
      for (const v of new Set(batch.label)) assert.ok(v === 0 || v === 1);
    });
    const a1 = await collect(a, 1);
    assert.notDeepEqual(a1[0].image, a0[0].image);
    assert.ok(
      a0.some((batch) => batch.label.some((v) => v === 1)),
      "some patch shows the organ",
    );
  } finally {
    await a.close();
    await b.close();
  }
  assert.equal(a.liveWorkers, 0);
  assert.equal(b.liveWorkers, 0);
});

test("leaving an epoch early and closing stops every worker", async () => {
  const loader = await PatchLoader.create({
    entries,
    augment: SMALL_AUGMENT,
    batchSize: 1,
    seed: 1,
    workers: 2,
  });
  for await (const _ of loader.epoch(0)) break;
  // The loader still works for the next epoch after an abandoned one.
  const next = await collect(loader, 1);
  assert.equal(next.length, 6);
  await loader.close();
  assert.equal(loader.liveWorkers, 0);
});

test("a failing case rejects with an error naming its file", async () => {
  const broken = join(dir, "broken.svzc");
  await writeFile(broken, "not a cache entry");
  const loader = await PatchLoader.create({
    entries: [...entries, { path: broken, name: "/data/site1/case_00042.nii.gz" }],
    augment: SMALL_AUGMENT,
    batchSize: 2,
    seed: 3,
    workers: 2,
    shuffle: false,
  });
  try {
    await assert.rejects(collect(loader, 0), /case_00042\.nii\.gz.*bad magic/);
  } finally {
    await loader.close();
  }
  assert.equal(loader.liveWorkers, 0);
});

test("dataset preprocessing goes through the cache, logs progress, and skips a bad case when told", async () => {
  const good = await writeCase(dir, 5);
  const bad = { image: join(dir, "missing.nii.gz") };
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s) };
  const cache = new PreprocessCache(join(dir, "cache2"));
  const settings = { ...SEGVIZ_PREPROCESS, minSize: [16, 16, 8] as [number, number, number] };
  const first = await preprocessDataset([good, bad], {
    cache,
    settings,
    onError: "skip",
    progressStream: stream,
  });
  assert.equal(first.prepared.length, 1);
  assert.equal(first.prepared[0].hit, false);
  assert.deepEqual(
    first.failed.map((f) => f.file),
    [bad.image],
  );
  const events = lines.map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.event === "progress" && e.done === 2 && e.total === 2));
  assert.ok(events.some((e) => e.event === "case_skipped" && e.file === bad.image));
  const second = await preprocessDataset([good], { cache, settings, progressStream: stream });
  assert.equal(second.prepared[0].hit, true);
  await assert.rejects(
    preprocessDataset([bad], { cache, settings, progressStream: stream }),
    /missing\.nii\.gz/,
  );
});
