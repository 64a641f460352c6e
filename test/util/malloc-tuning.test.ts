// The malloc thresholds, seen from outside: /proc/self/maps shows whether a 20 MiB buffer got a
// mapping of its own (glibc's default above 128 KiB) or came from the heap (after the tuning).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { mallocAddonPath, mallocTuningRefusal } from "../../src/util/malloc-tuning.js";

const moduleUrl = new URL("../../src/util/malloc-tuning.js", import.meta.url).href;

// Runs in a fresh process: tunes (or not, per the environment), then allocates 20 MiB and reports
// the anonymous mappings of about that size that appeared, and the tuning's outcome.
const probe = `
import { readFileSync } from "node:fs";
const { tuneMallocForTransfers } = await import(${JSON.stringify(moduleUrl)});
const tuning = tuneMallocForTransfers();
const sizes = () => readFileSync("/proc/self/maps", "utf8").trim().split("\\n").map((line) => {
  const [from, to] = line.split(" ")[0].split("-").map((h) => parseInt(h, 16));
  return { key: line.split(" ")[0], size: to - from };
});
const before = new Set(sizes().map((m) => m.key));
const bytes = 20 * 1024 * 1024;
const buffer = new Uint8Array(bytes);
buffer.fill(1);
const fresh = sizes().filter((m) => !before.has(m.key) && m.size >= bytes && m.size <= bytes + 65536);
console.log(JSON.stringify({ tuning, ownMappings: fresh.length, sum: buffer[bytes - 1] }));
`;

function runProbe(env: Record<string, string>): {
  tuning: { applied: boolean; reason?: string };
  ownMappings: number;
} {
  const childEnv = { ...process.env, ...env };
  if (env.GLIBC_TUNABLES === undefined) delete childEnv.GLIBC_TUNABLES;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe], {
    env: childEnv,
    encoding: "utf8",
  });
  return JSON.parse(out.trim());
}

test("malloc tuning: the addon is built beside the libtorch one", () => {
  assert.ok(existsSync(mallocAddonPath()), mallocAddonPath());
});

test("malloc tuning: a 20 MiB buffer comes from the heap once tuned, and from a mapping of its own otherwise", () => {
  const untuned = runProbe({ SEGVIZ_MALLOC_TUNING: "off" });
  assert.deepEqual(untuned.tuning, { applied: false, reason: "SEGVIZ_MALLOC_TUNING=off" });
  assert.equal(untuned.ownMappings, 1);
  const tuned = runProbe({ SEGVIZ_MALLOC_TUNING: "on" });
  assert.equal(tuned.tuning.applied, true);
  assert.equal(tuned.ownMappings, 0);
});

test("malloc tuning: thresholds set by GLIBC_TUNABLES are left as they are", () => {
  const kept = runProbe({ GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=131072" });
  assert.deepEqual(kept.tuning, { applied: false, reason: "GLIBC_TUNABLES sets malloc's thresholds" });
  assert.equal(kept.ownMappings, 1);
  assert.equal(
    mallocTuningRefusal({ GLIBC_TUNABLES: "glibc.malloc.trim_threshold=1" }),
    "GLIBC_TUNABLES sets malloc's thresholds",
  );
  assert.equal(mallocTuningRefusal({ GLIBC_TUNABLES: "glibc.malloc.tcache_count=0" }), undefined);
});

test("malloc tuning: SEGVIZ_MALLOC_TUNING other than on or off is refused by name", () => {
  assert.throws(() => mallocTuningRefusal({ SEGVIZ_MALLOC_TUNING: "yes" }), /SEGVIZ_MALLOC_TUNING: "yes"/);
  assert.equal(mallocTuningRefusal({}), undefined);
});
