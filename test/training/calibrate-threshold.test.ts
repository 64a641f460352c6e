// Threshold calibration on tiny hand-made arrays: pooled Dice over cases, ties to the threshold
// closest to 0.5, float32 comparison at grid values, and the no-organ error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { calibrateThreshold } from "../../src/training/inference/calibrate-threshold.js";

function c(probs: number[], label: number[]): { probs: Float32Array; label: Uint8Array } {
  return { probs: Float32Array.from(probs), label: Uint8Array.from(label) };
}

test("Dice is pooled over cases, organ-free cases included", () => {
  const cases = [
    c([0.6], [1]),
    c([0.8, 0.8, 0.8, 0.8, 0.65, 0.65, 0.65, 0.65], [1, 1, 1, 1, 0, 0, 0, 0]),
    c([0.9], [0]),
  ];
  // 5 organ voxels. t = 0.5: all 10 voxels predicted, 5 true -> 10 / (10 + 5) = 2/3.
  // t = 0.7: the four 0.8s and the 0.9 predicted, 4 true -> 8 / (5 + 5) = 0.8. Pooled -> 0.7.
  // (A mean of the first two cases' Dice would pick 0.5: (1 + 8/12) / 2 = 0.83 vs (0 + 1) / 2.)
  assert.deepEqual(calibrateThreshold(cases, [0.5, 0.7]), { threshold: 0.7, dice: 0.8 });
});

test("default grid: ties go to the value closest to 0.5", () => {
  const cases = [
    c([0.92, 0.81, 0.66, 0.34, 0.12], [1, 1, 1, 0, 0]),
    c([0.72, 0.58, 0.41, 0.07], [1, 0, 0, 0]),
  ];
  // Sorted: 0.92 0.81 0.72 0.66 (organ) | 0.58 0.41 0.34 0.12 0.07 (not). Any t in [0.58, 0.66)
  // predicts exactly the organ: grid 0.6 and 0.65 both give Dice 1; 0.55 adds 0.58 (8/9).
  // 0.6 is closer to 0.5.
  assert.deepEqual(calibrateThreshold(cases), { threshold: 0.6, dice: 1 });
});

test("equal distance to 0.5 goes to the lower threshold; the grid may be unsorted", () => {
  // 0.4, 0.6 and 0.75 all predict only the 0.9 voxel (Dice 1); 0.25 adds 0.3 (2/3).
  // 0.4 and 0.6 are equally close to 0.5 -> the lower, 0.4.
  assert.deepEqual(calibrateThreshold([c([0.9, 0.3], [1, 0])], [0.25, 0.75, 0.6, 0.4]), {
    threshold: 0.4,
    dice: 1,
  });
});

test("a probability equal to a grid value (in float32) is not above it", () => {
  // t = 0.1: 0.1f is not above 0.1f, so {0.2, 0.15} predicted -> Dice 1.
  // t = 0.15: only 0.2 -> 2 / (1 + 2) = 2/3. In float64, 0.1f > 0.1 would wrongly predict it.
  assert.deepEqual(calibrateThreshold([c([0.2, 0.15, 0.1], [1, 1, 0])], [0.1, 0.15]), {
    threshold: 0.1,
    dice: 1,
  });
});

test("no organ voxel in any case is an error", () => {
  assert.throws(() => calibrateThreshold([c([0.9, 0.2], [0, 0]), c([], [])]), {
    message: "calibrateThreshold: no case contains the organ",
  });
  assert.throws(() => calibrateThreshold([]), /no case contains the organ/);
  assert.throws(() => calibrateThreshold([c([0.5], [1, 0])]), /1 probabilities but 2 labels/);
  assert.throws(() => calibrateThreshold([c([0.5], [1])], []), /empty threshold grid/);
});
