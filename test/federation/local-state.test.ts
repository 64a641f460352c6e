// A site's local state on disk: the newest rounds are kept for resuming, a retried round starts
// from the state before it, and compacting a finished federation keeps only the newest round's
// tensors that are asked for.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LocalStateStore } from "../../src/federation/site/local-state.js";
import type { WeightSet } from "../../src/federation/weights/weight-set.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-local-state-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const weights = (round: number): WeightSet =>
  new Map([
    ["heads.liver.weight", { dtype: "float32", shape: [2], data: Float32Array.of(round, -round) }],
    [
      "optimizer/heads.liver.weight.exp_avg",
      { dtype: "float32", shape: [2], data: Float32Array.of(0.5, round) },
    ],
  ]);

for (const where of ["on disk", "in memory"] as const) {
  test(`${where}: three newest rounds kept, loadUpTo picks the newest at or before, compact keeps one round`, async () => {
    const store = new LocalStateStore(where === "on disk" ? join(dir, "state") : undefined);
    for (let r = 1; r <= 5; r++) await store.save(r, weights(r));
    if (where === "on disk")
      assert.deepEqual(readdirSync(join(dir, "state")).sort(), [
        "local-round-3.safetensors",
        "local-round-4.safetensors",
        "local-round-5.safetensors",
      ]);
    assert.equal((await store.loadUpTo(4))!.round, 4);
    assert.equal(await store.loadUpTo(2), undefined);
    await store.compact((name) => !name.startsWith("optimizer/"));
    assert.equal(store.latestRound(), 5);
    assert.equal(await store.loadUpTo(4), undefined);
    const kept = (await store.loadUpTo(5))!;
    assert.deepEqual([...kept.weights.keys()], ["heads.liver.weight"]);
    assert.deepEqual([...(kept.weights.get("heads.liver.weight")!.data as Float32Array)], [5, -5]);
    if (where === "on disk") assert.deepEqual(readdirSync(join(dir, "state")), ["local-round-5.safetensors"]);
  });
}
