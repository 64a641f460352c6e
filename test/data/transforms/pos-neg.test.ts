// Random crops by positive/negative label ratio: ratio statistics, bounds, determinism.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyTransform,
  cropStartFor,
  disposeSamples,
  randCropByPosNeg,
  type Sample,
  voxelToWorld,
} from "../../../src/data/transforms/index.js";
import { diagAffine, makeVolume, shapeOf, tensorOf, valuesOf } from "./volumes.js";

const AFFINE = diagAffine([1, 1, 1], [0, 0, 0]);
// Foreground: a block well inside, so centres there need no clamping for 3x3x3 crops.
const fg = (i: number, j: number, k: number) => i >= 8 && i < 12 && j >= 8 && j < 12 && k >= 4 && k < 8;

function sample(): Sample {
  return {
    image: tensorOf(makeVolume([24, 20, 12], AFFINE, (i, j, k) => i + 100 * j + 10000 * k)),
    label: tensorOf(makeVolume([24, 20, 12], AFFINE, (i, j, k) => (fg(i, j, k) ? 2 : 0), "uint8")),
  };
}

function crops(
  pos: number,
  neg: number,
  n: number,
  seed: number,
  size: [number, number, number] = [3, 3, 3],
) {
  const t = randCropByPosNeg({
    keys: ["image", "label"],
    labelKey: "label",
    spatialSize: size,
    pos,
    neg,
    numSamples: n,
  });
  return applyTransform(t, sample(), seed);
}

test("centres fall in foreground with probability pos / (pos + neg)", () => {
  for (const [pos, neg] of [
    [1, 1],
    [1, 3],
  ]) {
    const out = crops(pos, neg, 2000, 11);
    // The centre voxel of a 3x3x3 crop is (1, 1, 1).
    const positives = out.filter((s) => valuesOf(s.label)[1 + 3 * (1 + 3 * 1)] > 0).length;
    const p = pos / (pos + neg);
    const sd = Math.sqrt((p * (1 - p)) / 2000);
    assert.ok(Math.abs(positives / 2000 - p) < 4 * sd, `pos ${pos} neg ${neg}: ${positives}/2000`);
    disposeSamples(out);
  }
});

test("crops are inside the volume, patch-sized, and image and label share the box", () => {
  const out = crops(1, 1, 200, 3, [10, 9, 8]);
  for (const s of out) {
    assert.deepEqual(shapeOf(s.image), [10, 9, 8]);
    const start = s.image.affine.slice(0, 3).map((row) => row[3]);
    assert.deepEqual(s.label.affine, s.image.affine);
    start.forEach((x, a) => {
      assert.ok(x >= 0 && x + [10, 9, 8][a] <= [24, 20, 12][a], `start ${start}`);
    });
    // The image encodes its own coordinates: its first voxel must be the one at `start`.
    assert.equal(valuesOf(s.image)[0], start[0] + 100 * start[1] + 10000 * start[2]);
    assert.deepEqual(voxelToWorld(s.image.affine, [0, 0, 0]), start);
  }
  disposeSamples(out);
});

test("the same seed gives the same crops, another seed others", () => {
  const starts = (seed: number) => {
    const out = crops(1, 1, 20, seed, [5, 5, 5]);
    const s = out.map((x) =>
      x.image.affine
        .slice(0, 3)
        .map((r) => r[3])
        .join(","),
    );
    disposeSamples(out);
    return s;
  };
  assert.deepEqual(starts(42), starts(42));
  assert.notDeepEqual(starts(42), starts(43));
});

test("centres are clamped so the crop fits", () => {
  assert.deepEqual(cropStartFor([0, 19, 5], [4, 4, 4], [24, 20, 12]), [0, 16, 3]);
  assert.deepEqual(cropStartFor([23, 0, 11], [5, 5, 5], [24, 20, 12]), [19, 0, 7]);
});

test("a volume smaller than the patch is an error naming the fix", () => {
  assert.throws(() => crops(1, 1, 1, 0, [30, 3, 3]), /smaller than the patch.*spatialPad/);
});
