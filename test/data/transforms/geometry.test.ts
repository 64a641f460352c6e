// Reorientation and resampling on volumes with known geometry: points land at the right world
// coordinates, round trips are exact, labels keep their value set.
import assert from "node:assert/strict";
import { test } from "node:test";
import { orientationCodes } from "../../../src/data/nifti/index.js";
import {
  applyTransform,
  compose,
  orientation,
  planSpacing,
  reorient,
  resampleToSpacing,
  spacing,
  toVolume,
  voxelToWorld,
} from "../../../src/data/transforms/index.js";
import type { Affine } from "../../../src/data/volume.js";
import { disposeAll, liveTensorCount, tidy } from "../../../src/engine/index.js";
import { diagAffine, makeVolume, shapeOf, tensorOf, valuesOf } from "./volumes.js";

const LPS_PERMUTED: Affine = [
  [0, -2, 0, 40],
  [0, 0, -3, 25],
  [1.5, 0, 0, -12],
  [0, 0, 0, 1],
];

function findVoxel(values: number[], shape: number[], wanted: number): number[] {
  const n = values.indexOf(wanted);
  assert.ok(n >= 0, `value ${wanted} not found`);
  return [n % shape[0], Math.floor(n / shape[0]) % shape[1], Math.floor(n / (shape[0] * shape[1]))];
}

test("reorienting keeps a marked voxel at its world coordinate", () => {
  for (const affine of [diagAffine([-2, -3, 4], [10, 20, -5]), LPS_PERMUTED]) {
    tidy(() => {
      const vol = makeVolume([7, 5, 4], affine, (i, j, k) => (i === 3 && j === 1 && k === 2 ? 9 : 0));
      const world = voxelToWorld(affine, [3, 1, 2]);
      for (const target of ["RAS", "LPS", "SAR", "ILA"]) {
        const out = reorient(tensorOf(vol), target);
        assert.equal(orientationCodes(out.affine), target);
        const v = findVoxel(valuesOf(out), shapeOf(out), 9);
        const w = voxelToWorld(out.affine, v);
        w.forEach((x, d) => {
          assert.ok(Math.abs(x - world[d]) < 1e-9, `${target}: ${w} vs ${world}`);
        });
      }
    });
  }
});

test("LPS -> RAS -> LPS is an exact round trip", () => {
  tidy(() => {
    const vol = makeVolume(
      [6, 4, 3],
      diagAffine([-1, -1.5, 2], [3, 4, 5]),
      (i, j, k) => i + 10 * j + 100 * k,
    );
    const t = compose([
      orientation({ keys: ["image"], axcodes: "RAS" }),
      orientation({ keys: ["image"], axcodes: "LPS" }),
    ]);
    const [out] = applyTransform(t, { image: tensorOf(vol) }, 0);
    assert.deepEqual(valuesOf(out.image), Array.from(vol.data, Number));
    assert.deepEqual(out.image.affine, vol.affine);
  });
});

test("spacing: voxel (0,0,0) keeps its world position, MONAI's output size, linear data exact", () => {
  tidy(() => {
    const affine = diagAffine([3, 3, 3], [-10, 5, 7]);
    // A linear function of world position: trilinear interpolation reproduces it exactly.
    const f = (w: number[]) => 0.5 * w[0] - 0.25 * w[1] + 0.125 * w[2];
    const vol = makeVolume([9, 7, 6], affine, (i, j, k) => f(voxelToWorld(affine, [i, j, k])));
    const out = resampleToSpacing(tensorOf(vol), [1.5, 1.5, 2], "trilinear");
    assert.deepEqual(shapeOf(out), [17, 13, 8]); // 8*2+1, 6*2+1, round(5*1.5+1) = round(8.5) = 8 (half to even)
    assert.deepEqual(voxelToWorld(out.affine, [0, 0, 0]), [-10, 5, 7]);
    const values = valuesOf(out);
    const [ni, nj] = [17, 13];
    for (const [i, j, k] of [
      [0, 0, 0],
      [5, 3, 2],
      [16, 12, 7],
      [7, 11, 5],
    ]) {
      const expected = f(voxelToWorld(out.affine, [i, j, k]));
      assert.ok(Math.abs(values[i + ni * (j + nj * k)] - expected) < 1e-4, `voxel ${[i, j, k]}`);
    }
  });
});

test("spacing output size follows numpy rounding (half to even)", () => {
  const plan = planSpacing([10, 10, 6], diagAffine([3, 3, 3], [0, 0, 0]), [1.5, 1.5, 2]);
  // k: (6-1)*3/2 + 1 = 8.5 -> 8 (half to even), i and j: 9*2+1 = 19
  assert.deepEqual(plan.shape, [19, 19, 8]);
});

test("spacing on an oblique, flipped grid keeps directions and the first voxel's world position", () => {
  tidy(() => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const affine: Affine = [
      [-2 * c, 2 * s, 0, 5],
      [2 * s, 2 * c, 0, -3],
      [0, 0, 2.5, 1],
      [0, 0, 0, 1],
    ];
    const vol = makeVolume([5, 5, 4], affine, (i) => i);
    const out = resampleToSpacing(tensorOf(vol), [1, 1, 1], "trilinear");
    assert.deepEqual(voxelToWorld(out.affine, [0, 0, 0]), [5, -3, 1]);
    // Output voxel (2, 0, 0) is halfway along input axis i: world matches input voxel (1, 0, 0).
    const w = voxelToWorld(out.affine, [2, 0, 0]);
    voxelToWorld(affine, [1, 0, 0]).forEach((x, d) => {
      assert.ok(Math.abs(x - w[d]) < 1e-12);
    });
    assert.ok(Math.abs(valuesOf(out)[2] - 1) < 1e-6);
  });
});

test("label resampling never invents labels", () => {
  tidy(() => {
    const labels = [0, 3, 7, 200];
    const vol = makeVolume(
      [11, 9, 7],
      diagAffine([1.3, 0.9, 2.7], [0, 0, 0]),
      (i, j, k) => labels[(i * 7 + j * 3 + k) % 4],
      "uint8",
    );
    for (const pixdim of [
      [1.5, 1.5, 2],
      [0.7, 2.2, 1.1],
    ]) {
      const out = resampleToSpacing(tensorOf(vol), pixdim, "nearest");
      assert.equal(out.data.dtype, "uint8");
      const seen = new Set(valuesOf(out));
      for (const v of seen) assert.ok(labels.includes(v), `invented label ${v}`);
    }
  });
});

test("transforms leave no tensors behind", () => {
  const before = liveTensorCount();
  const vol = makeVolume([8, 8, 8], diagAffine([-1, -1, 1], [0, 0, 0]), (i) => i);
  const t = compose([
    orientation({ keys: ["image"], axcodes: "RAS" }),
    spacing({ keys: ["image"], pixdim: [2, 2, 2], mode: "trilinear" }),
  ]);
  const out = applyTransform(t, { image: tensorOf(vol) }, 0);
  assert.equal(liveTensorCount(), before + 1);
  assert.ok(toVolume(out[0].image).shape.every((n) => n === 4));
  disposeAll(out.map((s) => s.image.data));
  assert.equal(liveTensorCount(), before);
});
