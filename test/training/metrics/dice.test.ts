// Dice on hand-computed cases, including the documented rule for empty organs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DICE_EMPTY_RULE, diceScore, organMask } from "../../../src/training/metrics/index.js";
import { boxLabels, type Shape } from "./volumes.js";

const shape: Shape = [6, 5, 4];

describe("diceScore", () => {
  test("identical organs score 1, disjoint ones 0", () => {
    const a = boxLabels(shape, [1, 1, 1], [3, 3, 2]);
    const far = boxLabels(shape, [5, 4, 3], [5, 4, 3]);
    assert.equal(diceScore(a, a), 1);
    assert.equal(diceScore(a, far), 0);
  });

  test("half-overlapping boxes: 2 * 8 / (16 + 16) = 0.5", () => {
    const truth = boxLabels(shape, [0, 0, 0], [3, 1, 1]); // 4 x 2 x 2 = 16 voxels
    const pred = boxLabels(shape, [2, 0, 0], [5, 1, 1]); // overlap i = 2..3: 8 voxels
    assert.equal(diceScore(pred, truth), 0.5);
  });

  test("scores one organ of a multi-organ label map and ignores the others", () => {
    const truth = boxLabels(shape, [0, 0, 0], [1, 0, 0], 3); // organ 3: 2 voxels
    boxLabels(shape, [0, 2, 0], [5, 4, 3], 7, truth); // organ 7 elsewhere
    const pred = boxLabels(shape, [1, 0, 0], [2, 0, 0], 3); // organ 3: 2 voxels, 1 shared
    assert.equal(diceScore(pred, truth, 3), 0.5);
    assert.equal(diceScore(pred, truth, 7), 0);
    assert.equal(diceScore(organMask(pred, 3), organMask(truth, 3)), 0.5);
  });

  test("a single voxel: 1 when it matches, 0 when it does not", () => {
    const one = boxLabels(shape, [2, 2, 2], [2, 2, 2]);
    const other = boxLabels(shape, [2, 2, 3], [2, 2, 3]);
    assert.equal(diceScore(one, one), 1);
    assert.equal(diceScore(one, other), 0);
  });

  test("empty rule: both empty NaN, false positive 0, missed organ 0", () => {
    const empty = new Uint8Array(shape[0] * shape[1] * shape[2]);
    const some = boxLabels(shape, [1, 1, 1], [1, 1, 2]);
    assert.ok(Number.isNaN(diceScore(empty, empty)));
    assert.equal(diceScore(some, empty), 0, "truth empty, prediction not: penalised");
    assert.equal(diceScore(empty, some), 0);
    assert.match(DICE_EMPTY_RULE, /both empty -> NaN/);
    assert.match(DICE_EMPTY_RULE, /truth empty but prediction non-empty -> 0/);
  });

  test("bad input names the field", () => {
    const a = new Uint8Array(8);
    assert.throws(
      () => diceScore(a, new Uint8Array(9)),
      /pred: expected the same voxel count as truth \(9\), got 8/,
    );
    assert.throws(() => diceScore(a, a, 0), /organId: expected an organ id in 1\.\.255, got 0/);
    assert.throws(() => diceScore(a, a, 1.5), /organId/);
  });
});
