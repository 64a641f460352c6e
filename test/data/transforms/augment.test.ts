// Augmentations: flips and 90-degree rotations are exact permutations, label sets survive random
// affines, zero ranges are the identity, intensity jitter stays in range.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyAxisMap,
  applyTransform,
  compose,
  flipMap,
  randAffine,
  randFlip,
  randRotate90,
  randScaleIntensity,
  randShiftIntensity,
  rot90Map,
  voxelToWorld,
} from "../../../src/data/transforms/index.js";
import { tidy } from "../../../src/engine/index.js";
import { diagAffine, makeVolume, shapeOf, tensorOf, valuesOf } from "./volumes.js";

const AFFINE = diagAffine([1.5, 1.5, 2], [-10, 4, 3]);
const SHAPE: [number, number, number] = [5, 4, 3];
const code = (i: number, j: number, k: number) => 1 + i + 10 * j + 100 * k;

test("flips are exact re-indexing and keep world positions", () => {
  tidy(() => {
    const vol = makeVolume(SHAPE, AFFINE, code);
    for (const axes of [[0], [1], [2], [0, 2]]) {
      const out = applyAxisMap(tensorOf(vol), flipMap(axes));
      const v = valuesOf(out);
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < 4; j++)
          for (let i = 0; i < 5; i++) {
            const src = [i, j, k].map((x, a) => (axes.includes(a) ? SHAPE[a] - 1 - x : x));
            assert.equal(v[i + 5 * (j + 4 * k)], code(src[0], src[1], src[2]));
            // the value's world position is unchanged
            const w1 = voxelToWorld(out.affine, [i, j, k]);
            const w0 = voxelToWorld(AFFINE, src);
            w1.forEach((x, d) => {
              assert.ok(Math.abs(x - w0[d]) < 1e-12);
            });
          }
    }
  });
});

test("rot90 matches numpy's rot90 for k = 1, 2, 3 in each plane", () => {
  tidy(() => {
    const vol = makeVolume(SHAPE, AFFINE, code);
    // numpy: rot90(m, 1, (p, q)) = swapaxes(flip(m, q), p, q)
    const npRot90 = (idx: number[], k: number, p: number, q: number, shape: number[]): number[] => {
      let out = idx.slice();
      let s = shape.slice();
      for (let t = 0; t < k; t++) {
        // out index -> in index for one quarter turn on the current shape s (output shape swaps p, q)
        const inIdx = out.slice();
        inIdx[p] = out[q];
        inIdx[q] = s[q] - 1 - out[p];
        out = inIdx;
        s = s.slice();
      }
      return out;
    };
    for (const [p, q] of [
      [0, 1],
      [1, 2],
      [0, 2],
    ]) {
      for (const k of [1, 2, 3]) {
        const out = applyAxisMap(tensorOf(vol), rot90Map(k, [p, q]));
        const oshape = shapeOf(out);
        const v = valuesOf(out);
        // Compose quarter turns backwards: shapes alternate between swapped and original.
        for (let n = 0; n < v.length; n++) {
          const idx = [
            n % oshape[0],
            Math.floor(n / oshape[0]) % oshape[1],
            Math.floor(n / (oshape[0] * oshape[1])),
          ];
          let cur = idx;
          let curShape = oshape.slice();
          for (let t = 0; t < k; t++) {
            const prevShape = curShape.slice();
            [prevShape[p], prevShape[q]] = [curShape[q], curShape[p]];
            cur = npRot90(cur, 1, p, q, prevShape);
            curShape = prevShape;
          }
          assert.equal(v[n], code(cur[0], cur[1], cur[2]), `plane ${p},${q} k ${k} voxel ${idx}`);
        }
      }
    }
  });
});

test("random affine with zero ranges is the identity", () => {
  tidy(() => {
    const image = makeVolume(SHAPE, AFFINE, code);
    const label = makeVolume(SHAPE, AFFINE, (i) => i % 3, "uint8");
    const t = randAffine({
      keys: ["image", "label"],
      prob: 1,
      rotateRange: 0,
      scaleRange: 0,
      mode: ["bilinear", "nearest"],
    });
    const [out] = applyTransform(t, { image: tensorOf(image), label: tensorOf(label) }, 5);
    assert.deepEqual(valuesOf(out.image), Array.from(image.data as Float32Array));
    assert.deepEqual(valuesOf(out.label), Array.from(label.data as Uint8Array));
    assert.deepEqual(out.image.affine, AFFINE);
  });
});

test("random affine, flips and rotations keep the label set and image range", () => {
  tidy(() => {
    const image = makeVolume([24, 24, 12], AFFINE, (i, j) => (i + j) / 46);
    const label = makeVolume(
      [24, 24, 12],
      AFFINE,
      (i, j, k) => [0, 1, 4, 9][((i >> 2) % 4) ^ ((j >> 3) % 2) ^ (k % 2)],
      "uint8",
    );
    const t = compose([
      randFlip({ keys: ["image", "label"], prob: 0.5 }),
      randRotate90({ keys: ["image", "label"], prob: 0.5, spatialAxes: [0, 1] }),
      randAffine({
        keys: ["image", "label"],
        prob: 1,
        rotateRange: [0.2, 0.2, Math.PI / 15],
        scaleRange: 0.1,
        mode: ["bilinear", "nearest"],
      }),
    ]);
    for (let seed = 0; seed < 8; seed++) {
      const [out] = applyTransform(t, { image: tensorOf(image), label: tensorOf(label) }, seed);
      assert.equal(out.label.data.dtype, "uint8");
      for (const v of new Set(valuesOf(out.label)))
        assert.ok([0, 1, 4, 9].includes(v), `seed ${seed}: label ${v}`);
      const iv = valuesOf(out.image);
      assert.ok(Math.min(...iv) >= -1e-6 && Math.max(...iv) <= 1 + 1e-6);
    }
  });
});

test("intensity scale and shift stay within the factors and are seeded", () => {
  tidy(() => {
    const vol = makeVolume([4, 1, 1], AFFINE, () => 0.5);
    const t = compose([
      randScaleIntensity({ keys: ["image"], factors: 0.1, prob: 1 }),
      randShiftIntensity({ keys: ["image"], offsets: 0.1, prob: 1 }),
    ]);
    const results = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const [out] = applyTransform(t, { image: tensorOf(vol) }, seed);
      const v = valuesOf(out.image)[0];
      assert.ok(v >= 0.5 * 0.9 - 0.1 - 1e-6 && v <= 0.5 * 1.1 + 0.1 + 1e-6);
      results.add(v);
      const [again] = applyTransform(t, { image: tensorOf(vol) }, seed);
      assert.equal(valuesOf(again.image)[0], v);
    }
    assert.ok(results.size > 40);
  });
});
