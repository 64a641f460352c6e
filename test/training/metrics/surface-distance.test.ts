// HD95 and ASSD on hand-computed cases, and the pieces (surface, distance transform, percentile)
// against brute-force versions written independently here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  directedSurfaceDistances,
  hausdorff95,
  maskSurface,
  percentileLinear,
  SURFACE_DISTANCE_EMPTY_RULE,
  squaredDistancesAt,
  squaredDistanceToFeatures,
  surfaceDistanceMetrics,
} from "../../../src/training/metrics/index.js";
import { boxLabels, paintBlob, randomEllipsoids, type Shape, seededRandom, voxelIndex } from "./volumes.js";

const close = (actual: number, expected: number, what: string, tol = 1e-12) =>
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );

/** Brute-force surface: a set voxel with a face neighbour that is unset or outside. */
function bruteSurface(mask: Uint8Array, shape: Shape): Uint8Array {
  const out = new Uint8Array(mask.length);
  const steps = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 1, 0],
    [0, -1, 0],
    [0, 0, 1],
    [0, 0, -1],
  ];
  for (let k = 0; k < shape[2]; k++) {
    for (let j = 0; j < shape[1]; j++) {
      for (let i = 0; i < shape[0]; i++) {
        if (!mask[voxelIndex(shape, i, j, k)]) continue;
        const exposed = steps.some(([di, dj, dk]) => {
          const [a, b, c] = [i + di, j + dj, k + dk];
          const outside = a < 0 || b < 0 || c < 0 || a >= shape[0] || b >= shape[1] || c >= shape[2];
          return outside || !mask[voxelIndex(shape, a, b, c)];
        });
        if (exposed) out[voxelIndex(shape, i, j, k)] = 1;
      }
    }
  }
  return out;
}

function coordinates(mask: Uint8Array, shape: Shape): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let v = 0; v < mask.length; v++) {
    if (mask[v])
      out.push([v % shape[0], Math.floor(v / shape[0]) % shape[1], Math.floor(v / (shape[0] * shape[1]))]);
  }
  return out;
}

/** Brute-force squared distance from every voxel to the nearest feature. */
function bruteSquaredDistances(features: Uint8Array, shape: Shape, spacing: Shape): Float64Array {
  const points = coordinates(features, shape);
  const all = coordinates(new Uint8Array(features.length).fill(1), shape);
  return Float64Array.from(all, ([i, j, k]) =>
    points.reduce(
      (best, [a, b, c]) =>
        Math.min(
          best,
          ((i - a) * spacing[0]) ** 2 + ((j - b) * spacing[1]) ** 2 + ((k - c) * spacing[2]) ** 2,
        ),
      Number.POSITIVE_INFINITY,
    ),
  );
}

describe("percentileLinear (numpy.percentile, linear)", () => {
  test("hand-computed values", () => {
    assert.equal(percentileLinear([4, 1, 3, 2], 50), 2.5);
    assert.equal(percentileLinear([4, 1, 3, 2], 0), 1);
    assert.equal(percentileLinear([4, 1, 3, 2], 100), 4);
    // 21 values 0..20: index 0.95 * 20 = 19
    close(
      percentileLinear(
        Array.from({ length: 21 }, (_, i) => 20 - i),
        95,
      ),
      19,
      "p95 of 0..20",
    );
    // 10 values 0..9: index 0.95 * 9 = 8.55 -> 8.55
    close(
      percentileLinear(
        Array.from({ length: 10 }, (_, i) => i),
        95,
      ),
      8.55,
      "p95 of 0..9",
    );
    assert.equal(percentileLinear([7], 95), 7);
    assert.ok(Number.isNaN(percentileLinear([], 95)));
    assert.throws(() => percentileLinear([1], 101), /q: expected a percentile in 0\.\.100, got 101/);
  });
});

describe("maskSurface (mask XOR 6-connected erosion, outside = background)", () => {
  test("a 4^3 cube inside the volume has 56 surface voxels (64 minus the 2^3 core)", () => {
    const shape: Shape = [8, 8, 8];
    const cube = boxLabels(shape, [2, 2, 2], [5, 5, 5]);
    const s = maskSurface(cube, shape);
    assert.equal(
      s.reduce((n, x) => n + x, 0),
      56,
    );
    assert.equal(s[voxelIndex(shape, 3, 3, 3)], 0);
    assert.equal(s[voxelIndex(shape, 2, 3, 3)], 1);
  });

  test("a mask filling the volume has the volume's border as its surface", () => {
    const shape: Shape = [5, 4, 3];
    const full = new Uint8Array(60).fill(1);
    const s = maskSurface(full, shape);
    assert.equal(
      s.reduce((n, x) => n + x, 0),
      60 - 3 * 2 * 1,
    );
  });

  test("random blobs match a brute-force surface", () => {
    const random = seededRandom(11);
    const shape: Shape = [13, 9, 7];
    const mask = paintBlob(
      new Uint8Array(13 * 9 * 7),
      shape,
      randomEllipsoids(random, shape, 3),
      1,
      random,
      [0, 0, 0],
      0.1,
    );
    assert.deepEqual(maskSurface(mask, shape), bruteSurface(mask, shape));
  });
});

describe("squaredDistanceToFeatures (exact EDT, anisotropic)", () => {
  test("matches brute force on random sparse and dense features", () => {
    const shape: Shape = [11, 8, 6];
    const spacing: Shape = [0.7, 1.9, 3.1];
    for (const density of [0.01, 0.2, 0.7]) {
      const random = seededRandom(Math.round(density * 1000));
      const features = Uint8Array.from({ length: 11 * 8 * 6 }, () => (random() < density ? 1 : 0));
      features[7] = 1; // at least one feature
      const ours = squaredDistanceToFeatures(features, shape, spacing);
      const brute = bruteSquaredDistances(features, shape, spacing);
      for (const [v, d] of ours.entries()) close(d, brute[v], `density ${density}, voxel ${v}`);
    }
  });

  test("no feature: every distance is Infinity", () => {
    const d = squaredDistanceToFeatures(new Uint8Array(24), [2, 3, 4], [1, 1, 1]);
    assert.ok(d.every((x) => x === Number.POSITIVE_INFINITY));
  });

  test("squaredDistancesAt equals the full transform read at the queries", () => {
    const random = seededRandom(5);
    const shape: Shape = [9, 10, 12];
    const features = Uint8Array.from({ length: 9 * 10 * 12 }, () => (random() < 0.05 ? 1 : 0));
    const queries = Uint8Array.from({ length: 9 * 10 * 12 }, () => (random() < 0.1 ? 1 : 0));
    const full = squaredDistanceToFeatures(features, shape, [1.5, 0.5, 2]);
    const expected = full.filter((_, v) => queries[v] === 1);
    assert.deepEqual(squaredDistancesAt(features, queries, shape, [1.5, 0.5, 2]), expected);
  });
});

describe("HD95 and ASSD", () => {
  test("two 4^3 cubes offset by 2 voxels along i, spacing [0.5, 1, 2]", () => {
    // Per direction, 56 surface voxels: 24 at 0 mm (shared rims and faces), 16 at 0.5 mm (inner
    // face to the other's near face, and the next rim), 16 at 1.0 mm (far face to the near face).
    // p95 index 0.95 * 55 = 52.25 falls among the 1.0 mm values; ASSD = 2 * 24 / 112 = 3/7 mm.
    const shape: Shape = [12, 8, 8];
    const truth = boxLabels(shape, [2, 2, 2], [5, 5, 5]);
    const pred = boxLabels(shape, [4, 2, 2], [7, 5, 5]);
    const spacing: Shape = [0.5, 1, 2];
    const d = directedSurfaceDistances(pred, truth, shape, spacing)!;
    const sorted = Array.from(d.predToTruth).sort((a, b) => a - b);
    assert.deepEqual(sorted, [...Array(24).fill(0), ...Array(16).fill(0.5), ...Array(16).fill(1)]);
    const m = surfaceDistanceMetrics(pred, truth, shape, spacing);
    close(m.hd95Mm, 1, "hd95");
    close(m.assdMm, 3 / 7, "assd");
  });

  test("a 4^3 cube inside a 6^3 one, spacing [1, 1, 3]: the coarse axis counts in mm", () => {
    // pred -> truth: the nearest truth face is 1 voxel away along i or j (1 mm) for 48 pred surface
    // voxels; the 8 face centres at k = 2, 5 are 2 voxels from the i/j faces (2 mm) and 1 voxel
    // from the k face (3 mm), so 2 mm. truth -> pred: the distance to the box [2..5]^3, by the
    // number of coordinates outside it: 64 at 1 mm (i or j), 16 at sqrt 2 (i and j edges), 32 at
    // 3 mm (k faces), 32 at sqrt 10 (i/j and k edges), 8 corners at sqrt 11.
    const shape: Shape = [8, 8, 8];
    const truth = boxLabels(shape, [1, 1, 1], [6, 6, 6]);
    const pred = boxLabels(shape, [2, 2, 2], [5, 5, 5]);
    const d = directedSurfaceDistances(pred, truth, shape, [1, 1, 3])!;
    assert.deepEqual(
      Array.from(d.predToTruth).sort((a, b) => a - b),
      [...Array(48).fill(1), ...Array(8).fill(2)],
    );
    const s2 = Math.SQRT2;
    const s10 = Math.sqrt(10);
    const s11 = Math.sqrt(11);
    const expected = [
      ...Array(64).fill(1),
      ...Array(16).fill(s2),
      ...Array(32).fill(3),
      ...Array(32).fill(s10),
    ];
    expected.push(...Array(8).fill(s11));
    const sorted = Array.from(d.truthToPred).sort((a, b) => a - b);
    for (const [n, x] of sorted.entries()) close(x, expected[n], `truth -> pred ${n}`);
    // p95 of 152 values: index 0.95 * 151 = 143.45, between sqrt 10 (143) and sqrt 11 (144)
    const m = surfaceDistanceMetrics(pred, truth, shape, [1, 1, 3]);
    close(m.hd95Mm, s10 + 0.45 * (s11 - s10), "hd95");
    const sum = 48 + 16 + 64 + 16 * s2 + 96 + 32 * s10 + 8 * s11;
    close(m.assdMm, sum / (56 + 152), "assd");
  });

  test("single voxels: HD95 is their distance with the spacing", () => {
    const shape: Shape = [5, 6, 4];
    const a = boxLabels(shape, [0, 0, 0], [0, 0, 0]);
    const b = boxLabels(shape, [1, 1, 0], [1, 1, 0]);
    close(hausdorff95(a, b, shape, [2, 3, 1]), Math.sqrt(13), "offset voxel");
    assert.equal(hausdorff95(a, a, shape, [2, 3, 1]), 0);
    const far = boxLabels(shape, [3, 4, 0], [3, 4, 0]);
    const m = surfaceDistanceMetrics(a, far, shape, [1, 1, 1]);
    assert.deepEqual(m, { hd95Mm: 5, assdMm: 5 });
  });

  test("masks on the volume border: the border counts as outside", () => {
    const shape: Shape = [5, 5, 5];
    const full = new Uint8Array(125).fill(1);
    const centre = boxLabels(shape, [2, 2, 2], [2, 2, 2]);
    const d = directedSurfaceDistances(full, centre, shape, [1, 1, 1])!;
    assert.deepEqual(Array.from(d.truthToPred), [2]);
    assert.equal(d.predToTruth.length, 98);
    assert.equal(Math.max(...d.predToTruth), Math.sqrt(12));
  });

  test("empty rule: NaN when the prediction or the truth is empty", () => {
    const shape: Shape = [4, 4, 4];
    const empty = new Uint8Array(64);
    const some = boxLabels(shape, [1, 1, 1], [2, 2, 2]);
    for (const [p, t] of [
      [empty, some],
      [some, empty],
      [empty, empty],
    ]) {
      const m = surfaceDistanceMetrics(p, t, shape, [1, 1, 1]);
      assert.ok(Number.isNaN(m.hd95Mm) && Number.isNaN(m.assdMm));
    }
    assert.equal(directedSurfaceDistances(empty, some, shape, [1, 1, 1]), null);
    assert.match(SURFACE_DISTANCE_EMPTY_RULE, /empty for the organ -> NaN/);
  });

  test("random label maps match brute-force surfaces and distances", () => {
    const random = seededRandom(2024);
    const shape: Shape = [12, 10, 7];
    const spacing: Shape = [0.8, 1.7, 2.6];
    const truth = paintBlob(new Uint8Array(840), shape, randomEllipsoids(random, shape, 2), 2, random);
    const pred = paintBlob(new Uint8Array(840), shape, randomEllipsoids(random, shape, 2), 2, random);
    const sp = bruteSurface(
      Uint8Array.from(pred, (x) => (x === 2 ? 1 : 0)),
      shape,
    );
    const st = bruteSurface(
      Uint8Array.from(truth, (x) => (x === 2 ? 1 : 0)),
      shape,
    );
    const toTruth = bruteSquaredDistances(st, shape, spacing).filter((_, v) => sp[v] === 1);
    const d = directedSurfaceDistances(pred, truth, shape, spacing, 2)!;
    assert.equal(d.predToTruth.length, toTruth.length);
    for (const [n, x] of d.predToTruth.entries()) close(x, Math.sqrt(toTruth[n]), `pred surface voxel ${n}`);
  });

  test("bad input names the field", () => {
    const a = new Uint8Array(8);
    assert.throws(
      () => hausdorff95(a, a, [2, 2, 2], [1, -1, 1]),
      /spacing\[1\]: expected a positive finite mm value, got -1/,
    );
    assert.throws(() => hausdorff95(a, a, [2, 2, 2], [1, Number.NaN, 1]), /spacing\[1\]/);
    assert.throws(
      () => hausdorff95(a, new Uint8Array(7), [2, 2, 2], [1, 1, 1]),
      /truth: expected 8 voxels for shape 2x2x2, got 7/,
    );
    assert.throws(() => hausdorff95(a, a, [2, 2, 3], [1, 1, 1]), /pred: expected 12 voxels/);
    assert.throws(() => hausdorff95(a, a, [2, 4] as never, [1, 1, 1]), /shape: expected 3 dimensions/);
    assert.throws(() => hausdorff95(a, a, [2, 2, 2], [1, 1, 1], 256), /organId/);
  });
});
