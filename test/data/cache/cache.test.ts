// Cache hits, misses, invalidation by settings and by source content, corrupted entries rebuilt.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type CacheEvent, PreprocessCache, readCacheEntry } from "../../../src/data/cache/index.js";
import type { Volume } from "../../../src/data/volume.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "segviz-cache-"));
  dirs.push(dir);
  const source = join(dir, "case.nii");
  await writeFile(source, "pretend image bytes");
  const events: CacheEvent[] = [];
  const cache = new PreprocessCache(join(dir, "cache"), { onEvent: (e) => events.push(e) });
  let builds = 0;
  const build = async (): Promise<Record<string, Volume>> => {
    builds++;
    return {
      image: {
        shape: [3, 2, 1],
        dtype: "float32",
        data: Float32Array.from([1, 2, 3, 4, 5, builds]),
        affine: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
      },
      label: {
        shape: [3, 2, 1],
        dtype: "uint8",
        data: Uint8Array.from([0, 1, 0, 2, 0, 1]),
        affine: [
          [2, 0, 0, 1],
          [0, 2, 0, 0],
          [0, 0, 2, 0],
          [0, 0, 0, 1],
        ],
      },
    };
  };
  return { dir, source, cache, events, build, builds: () => builds };
}

test("miss then hit; the entry round-trips the volumes", async () => {
  const s = await setup();
  const settings = { pixdim: [1.5, 1.5, 2] };
  const a = await s.cache.getOrBuild({ image: s.source }, settings, s.build);
  const b = await s.cache.getOrBuild({ image: s.source }, settings, s.build);
  assert.equal(a.hit, false);
  assert.equal(b.hit, true);
  assert.equal(s.builds(), 1);
  assert.deepEqual(Array.from(b.volumes.image.data as Float32Array), [1, 2, 3, 4, 5, 1]);
  assert.deepEqual(b.volumes.label.affine, a.volumes.label.affine);
  assert.equal(b.volumes.label.dtype, "uint8");
  const fromWorker = await readCacheEntry(b.path);
  assert.deepEqual(Array.from(fromWorker.label.data as Uint8Array), [0, 1, 0, 2, 0, 1]);
  // Written atomically: no temporary files are left next to the entry.
  const files = await readdir(
    join(s.dir, "cache", (await s.cache.keyFor({ image: s.source }, settings)).slice(0, 2)),
  );
  assert.deepEqual(
    files.filter((f) => f.includes(".tmp-")),
    [],
  );
});

test("a settings change or a source change is a miss", async () => {
  const s = await setup();
  await s.cache.getOrBuild({ image: s.source }, { pixdim: [1.5, 1.5, 2] }, s.build);
  const other = await s.cache.getOrBuild({ image: s.source }, { pixdim: [1, 1, 1] }, s.build);
  assert.equal(other.hit, false);
  // Key order of settings does not matter.
  const same = await s.cache.getOrBuild({ image: s.source }, { pixdim: [1, 1, 1] }, s.build);
  assert.equal(same.hit, true);
  await writeFile(s.source, "different image bytes");
  const changed = await s.cache.getOrBuild({ image: s.source }, { pixdim: [1, 1, 1] }, s.build);
  assert.equal(changed.hit, false);
  assert.equal(s.builds(), 3);
});

test("a corrupted or truncated entry is detected, reported and rebuilt", async () => {
  const s = await setup();
  const first = await s.cache.getOrBuild({ image: s.source }, {}, s.build);
  const bytes = await readFile(first.path);
  bytes[bytes.length - 3] ^= 0xff;
  await writeFile(first.path, bytes);
  const again = await s.cache.getOrBuild({ image: s.source }, {}, s.build);
  assert.equal(again.hit, false);
  assert.ok(s.events.some((e) => e.event === "cache_corrupt" && /checksum/.test(e.reason)));
  await writeFile(again.path, bytes.subarray(0, 20));
  const third = await s.cache.getOrBuild({ image: s.source }, {}, s.build);
  assert.equal(third.hit, false);
  const fourth = await s.cache.getOrBuild({ image: s.source }, {}, s.build);
  assert.equal(fourth.hit, true);
  assert.equal(s.builds(), 3);
});

test("a missing source is an error naming the file", async () => {
  const s = await setup();
  await assert.rejects(s.cache.getOrBuild({ image: join(s.dir, "nope.nii") }, {}, s.build), /nope\.nii/);
});
