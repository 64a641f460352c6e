// Trilinear resampling onto another grid through both affines, against values worked out by hand:
// the same grid is the identity, a half-voxel shift averages neighbours, a flipped axis reverses,
// and a target voxel outside the source is 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { resampleToGrid } from "../../../src/data/transforms/resample-to-grid.js";
import type { Affine, Volume } from "../../../src/data/volume.js";

const eye = (): Affine => [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

/** A 4 x 3 x 2 volume whose value at (i, j, k) is i + 10 j + 100 k. */
function ramp(affine: Affine = eye()): Volume {
  const data = new Float32Array(24);
  for (let k = 0; k < 2; k++)
    for (let j = 0; j < 3; j++) for (let i = 0; i < 4; i++) data[(k * 3 + j) * 4 + i] = i + 10 * j + 100 * k;
  return { shape: [4, 3, 2], dtype: "float32", data, affine };
}

test("the same grid is the identity", () => {
  const v = ramp();
  assert.deepEqual(
    Array.from(resampleToGrid(v, [4, 3, 2], eye()).data as Float32Array),
    Array.from(v.data as Float32Array),
  );
});

test("a grid shifted by half a voxel along i averages neighbours; outside the source is 0", () => {
  const target = eye();
  target[0]![3] = 0.5;
  const out = resampleToGrid(ramp(), [4, 3, 2], target).data as Float32Array;
  // (i + 0.5) between i and i + 1: the ramp's value there; i = 3.5 is past the last centre by half
  // a voxel, still inside the tolerance, and takes the border value.
  assert.deepEqual(Array.from(out.slice(0, 4)), [0.5, 1.5, 2.5, 3]);
  target[0]![3] = 5;
  const far = resampleToGrid(ramp(), [4, 3, 2], target).data as Float32Array;
  assert.ok(far.every((x) => x === 0));
});

test("a target with its i axis flipped reads the source backwards", () => {
  const flipped: Affine = [
    [-1, 0, 0, 3],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const out = resampleToGrid(ramp(), [4, 3, 2], flipped).data as Float32Array;
  assert.deepEqual(Array.from(out.slice(0, 4)), [3, 2, 1, 0]);
  assert.deepEqual(Array.from(out.slice(20, 24)), [123, 122, 121, 120]);
});
