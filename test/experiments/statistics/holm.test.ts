// Holm-Bonferroni adjustment on hand-computed families (statsmodels' "holm").
import assert from "node:assert/strict";
import { test } from "node:test";
import { holmAdjust } from "../../../src/experiments/statistics/index.js";

function close(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  for (const [i, a] of actual.entries()) {
    if (Number.isNaN(expected[i])) assert.ok(Number.isNaN(a), `[${i}] ${a} != NaN`);
    else assert.ok(Math.abs(a - expected[i]) < 1e-15, `[${i}] ${a} != ${expected[i]}`);
  }
}

test("sorted ascending, the i-th smallest times (m - i), then running maxima", () => {
  // sorted: 0.005 x4 = 0.02, 0.01 x3 = 0.03, 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> max 0.06
  close(holmAdjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]);
});

test("capped at 1", () => {
  close(holmAdjust([0.5, 0.6, 0.01]), [1, 1, 0.03]);
});

test("ties get the same adjusted value", () => {
  close(holmAdjust([0.01, 0.01, 0.2]), [0.03, 0.03, 0.2]);
});

test("NaN p-values stay NaN and are not part of the family", () => {
  // m = 2: 0.01 x2 = 0.02, 0.02 x1 = 0.02
  close(holmAdjust([0.02, Number.NaN, 0.01]), [0.02, Number.NaN, 0.02]);
});

test("a single p-value and an empty family are unchanged", () => {
  assert.deepEqual(holmAdjust([0.3]), [0.3]);
  assert.deepEqual(holmAdjust([]), []);
});

test("bad input names the field", () => {
  assert.throws(() => holmAdjust([0.1, 1.2]), /pValues\[1\]: expected a p-value in \[0, 1\], got 1\.2/);
  assert.throws(() => holmAdjust([-0.1]), /pValues\[0\]/);
});
