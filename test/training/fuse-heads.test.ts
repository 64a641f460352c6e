// Head fusion on hand-made probabilities: a voxel takes the organ with the highest probability
// among those above the threshold, else background; a lone multi-class head reduces to argmax.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Tensor, tidy } from "../../src/engine/index.js";
import { fuseHeads } from "../../src/training/inference/fuse-heads.js";

/** [1, C, 1, 1, n] probabilities from per-channel rows. */
function probs(rows: number[][]): Tensor {
  return Tensor.fromArray(Float32Array.from(rows.flat()), [1, rows.length, 1, 1, rows[0]!.length]);
}

test("binary heads: highest organ above 0.5 wins, otherwise background", () => {
  tidy(() => {
    // voxels:              0    1    2    3
    const liver = probs([
      [0.9, 0.4, 0.3, 0.45],
      [0.1, 0.6, 0.7, 0.55],
    ]); // organ 1
    const spleen = probs([
      [0.2, 0.3, 0.6, 0.5],
      [0.8, 0.7, 0.4, 0.5],
    ]); // organ 2
    const labels = fuseHeads([
      { probs: liver, organIndices: [1] },
      { probs: spleen, organIndices: [2] },
    ]);
    // v0: liver 0.1, spleen 0.8 -> 2; v1: 0.6 vs 0.7 -> 2; v2: 0.7 vs 0.4 -> 1; v3: 0.55 vs 0.5 -> 1
    assert.deepEqual([...(labels.toArray() as Uint8Array)], [2, 2, 1, 1]);
    const none = fuseHeads([{ probs: probs([[0.6], [0.4]]), organIndices: [3] }]);
    assert.deepEqual([...(none.toArray() as Uint8Array)], [0]);
  });
});

test("a multi-class head alone is its argmax, background included", () => {
  tidy(() => {
    const central = probs([
      [0.2, 0.5, 0.34],
      [0.45, 0.3, 0.33],
      [0.35, 0.2, 0.33],
    ]);
    const labels = fuseHeads([{ probs: central, organIndices: [1, 4] }]);
    assert.deepEqual([...(labels.toArray() as Uint8Array)], [1, 0, 0]);
  });
});
