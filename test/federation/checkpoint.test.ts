// The coordinator's checkpoint read while a coordinator writes it: a reader that raced a round's
// replacement re-reads the index; a checkpoint whose named file is really gone is an error naming it.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCheckpoint, saveCheckpoint } from "../../src/federation/coordinator/checkpoint.js";
import type { WeightSet } from "../../src/federation/weights/weight-set.js";
import { tempDir } from "./helpers/federation.js";

const weights = (v: number): WeightSet =>
  new Map([["model.0.w", { dtype: "float32", shape: [2], data: new Float32Array([v, -v]) }]]);

test("rounds replace each other; the newest is read; a missing named file is an error naming it", () => {
  const dir = tempDir("checkpoint");
  try {
    for (const round of [1, 2, 3])
      saveCheckpoint(dir.path, {
        round,
        strategy: "fedavg",
        global: weights(round),
        strategyState: { tensors: new Map(), json: {} },
      });
    const c = loadCheckpoint(dir.path)!;
    assert.equal(c.round, 3);
    assert.deepEqual(Array.from(c.global.get("model.0.w")!.data as Float32Array), [3, -3]);
    rmSync(join(dir.path, "global-round-3.safetensors"));
    assert.throws(
      () => loadCheckpoint(dir.path),
      /checkpoint .*: a file that checkpoint\.json names is missing: ENOENT.*global-round-3\.safetensors/,
    );
  } finally {
    dir.remove();
  }
});
