// The addon's caching CPU allocator: freed blocks are kept and reused, memory handed out again
// holds what the op writes (never stale data), the cache empties on request, and
// SEGVIZ_CPU_CACHE_MB=0 turns it off.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cpuCacheBytes, emptyCpuCache, full, ones, zeros } from "../../src/engine/index.js";

test("freed blocks are cached, reused, and released on request", () => {
  emptyCpuCache();
  assert.equal(cpuCacheBytes(), 0);
  const a = ones([1 << 20]); // 4 MB
  a.dispose();
  const cached = cpuCacheBytes();
  assert.ok(cached >= 4 << 20, `expected >= 4 MB cached, got ${cached}`);
  const b = zeros([1 << 20]); // same size class: reuses the block of `a`, which held ones
  assert.equal(cpuCacheBytes(), cached - (4 << 20));
  assert.equal(b.sum().item(), 0);
  const c = full([1 << 20], 2);
  assert.equal(c.sum().item(), 2 * (1 << 20));
  b.dispose();
  c.dispose();
  emptyCpuCache();
  assert.equal(cpuCacheBytes(), 0);
});

test("SEGVIZ_CPU_CACHE_MB=0 disables the cache", () => {
  const engine = fileURLToPath(new URL("../../src/engine/index.js", import.meta.url));
  const script = `const e = await import(${JSON.stringify(engine)}); const t = e.ones([1 << 20]); t.dispose(); console.log(e.cpuCacheBytes());`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, SEGVIZ_CPU_CACHE_MB: "0" },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "0");
});
