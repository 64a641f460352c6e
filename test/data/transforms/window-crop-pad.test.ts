// Window, foreground crop and padding against hand-computed cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyTransform,
  cropForeground,
  scaleIntensityRange,
  spatialPad,
  voxelToWorld,
} from "../../../src/data/transforms/index.js";
import { tidy } from "../../../src/engine/index.js";
import { diagAffine, makeVolume, shapeOf, tensorOf, valuesOf } from "./volumes.js";

test("window maps [a, b] to [0, 1] and clips", () => {
  tidy(() => {
    const hu = [-1000, -175, 0, 37.5, 250, 3000];
    const vol = makeVolume([6, 1, 1], diagAffine([1, 1, 1], [0, 0, 0]), (i) => hu[i]);
    const [out] = applyTransform(
      scaleIntensityRange({ keys: ["image"], aMin: -175, aMax: 250 }),
      { image: tensorOf(vol) },
      0,
    );
    const expected = [0, 0, 175 / 425, 212.5 / 425, 1, 1];
    valuesOf(out.image).forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]) < 1e-6, `${hu[i]} -> ${v}`);
    });
  });
});

test("foreground crop: box of image > threshold plus margin, clipped to the volume, affine moved", () => {
  tidy(() => {
    const affine = diagAffine([2, 2, 2], [-5, 0, 10]);
    const inside = (i: number, j: number, k: number) => i >= 3 && i <= 5 && j >= 1 && j <= 2 && k === 4;
    const image = makeVolume([10, 8, 6], affine, (i, j, k) => (inside(i, j, k) ? 1 : 0));
    const label = makeVolume(
      [10, 8, 6],
      affine,
      (i, j, k) => (i === 4 && j === 2 && k === 4 ? 3 : 0),
      "uint8",
    );
    const t = cropForeground({ keys: ["image", "label"], sourceKey: "image", threshold: 0, margin: 1 });
    const [out] = applyTransform(t, { image: tensorOf(image), label: tensorOf(label) }, 0);
    assert.deepEqual(shapeOf(out.image), [5, 4, 3]); // i 2..6, j 0..3, k 3..5
    assert.deepEqual(voxelToWorld(out.image.affine, [0, 0, 0]), voxelToWorld(affine, [2, 0, 3]));
    const lab = valuesOf(out.label);
    assert.equal(lab[2 + 5 * (2 + 4 * 1)], 3); // (4,2,4) -> (2,2,1)
    assert.equal(lab.filter((v) => v !== 0).length, 1);
  });
});

test("foreground crop of an empty image leaves it whole", () => {
  tidy(() => {
    const vol = makeVolume([4, 4, 4], diagAffine([1, 1, 1], [0, 0, 0]), () => 0);
    const [out] = applyTransform(
      cropForeground({ keys: ["image"], sourceKey: "image" }),
      { image: tensorOf(vol) },
      0,
    );
    assert.deepEqual(shapeOf(out.image), [4, 4, 4]);
  });
});

test("spatial pad: symmetric zeros up to the size, world positions kept", () => {
  tidy(() => {
    const affine = diagAffine([1, 1, 1], [0, 0, 0]);
    const vol = makeVolume([3, 6, 2], affine, (i, j, k) => 1 + i + 3 * j + 18 * k);
    const [out] = applyTransform(
      spatialPad({ keys: ["image"], spatialSize: [6, 4, 5] }),
      { image: tensorOf(vol) },
      0,
    );
    assert.deepEqual(shapeOf(out.image), [6, 6, 5]); // i +1 before +2 after, j unchanged, k +1/+2
    const v = valuesOf(out.image);
    const at = (i: number, j: number, k: number) => v[i + 6 * (j + 6 * k)];
    assert.equal(at(1, 0, 1), 1);
    assert.equal(at(0, 0, 1), 0);
    assert.equal(at(3, 5, 2), 1 + 2 + 15 + 18);
    assert.deepEqual(voxelToWorld(out.image.affine, [1, 0, 1]), [0, 0, 0]);
    assert.equal(v.filter((x) => x !== 0).length, 36);
  });
});
