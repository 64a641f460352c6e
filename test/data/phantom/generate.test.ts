import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_SCANNER_STYLE,
  generatePhantom,
  PHANTOM_ORGAN_LABELS,
  PHANTOM_SIZES,
  voxelToWorld,
} from "../../../src/data/phantom/index.js";
import type { Volume } from "../../../src/data/volume.js";
import { volumeMl, worldCentroid } from "./measure.js";

const bytes = (v: Volume) => Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);

describe("generatePhantom: determinism", () => {
  test("same seed and options give byte-identical volumes; another seed differs", () => {
    const a = generatePhantom({ seed: 11, size: "tiny" });
    const b = generatePhantom({ seed: 11, size: "tiny" });
    const c = generatePhantom({ seed: 12, size: "tiny" });
    assert.ok(bytes(a.image).equals(bytes(b.image)));
    assert.ok(bytes(a.labels).equals(bytes(b.labels)));
    assert.ok(bytes(a.tissue).equals(bytes(b.tissue)));
    assert.deepEqual(a.image.affine, b.image.affine);
    assert.deepEqual(a.patient, b.patient);
    assert.ok(!bytes(a.image).equals(bytes(c.image)));
    assert.ok(!bytes(a.labels).equals(bytes(c.labels)));
    assert.notDeepEqual(a.patient, c.patient);
  });

  test("the patient does not depend on the output size: organ volumes agree across sizes", () => {
    const tiny = generatePhantom({ seed: 3, size: "tiny" });
    const demo = generatePhantom({ seed: 3, size: "demo" });
    assert.deepEqual(tiny.patient, demo.patient);
    for (const [organ, id] of Object.entries(PHANTOM_ORGAN_LABELS)) {
      if (id === 0) continue;
      const a = volumeMl(tiny.labels, id);
      const b = volumeMl(demo.labels, id);
      assert.ok(Math.abs(a - b) / b < 0.2, `${organ}: tiny ${a.toFixed(0)} ml vs demo ${b.toFixed(0)} ml`);
    }
  });
});

describe("generatePhantom: grid and affine", () => {
  test("volumes are int16 image and uint8 labels on one grid", () => {
    const p = generatePhantom({ seed: 1, size: "tiny" });
    assert.equal(p.image.dtype, "int16");
    assert.ok(p.image.data instanceof Int16Array);
    assert.equal(p.labels.dtype, "uint8");
    assert.ok(p.labels.data instanceof Uint8Array);
    assert.deepEqual(p.labels.shape, p.image.shape);
    assert.deepEqual(p.labels.affine, p.image.affine);
    assert.equal(p.image.data.length, p.image.shape[0] * p.image.shape[1] * p.image.shape[2]);
    const ids = new Set(p.labels.data as Uint8Array);
    assert.deepEqual([...ids].sort(), [0, 1, 2, 3, 4]);
  });

  test("the affine has the spacing on its diagonal and centres the field of view", () => {
    const style = {
      inPlaneSpacingMm: 1.2,
      sliceSpacingMm: 3,
      fovMm: 360,
      slabMm: 180,
      fovCenterMm: [10, -20, 15] as [number, number, number],
      tablePositionMm: -250,
    };
    const p = generatePhantom({ seed: 2, size: "tiny", style });
    const f = PHANTOM_SIZES.tiny;
    const [sx, sy, sz] = [1.2 * f.inPlaneFactor, 1.2 * f.inPlaneFactor, 3 * f.sliceFactor];
    const a = p.image.affine;
    assert.deepEqual(
      a.map((row) => row.slice(0, 3)),
      [
        [sx, 0, 0],
        [0, sy, 0],
        [0, 0, sz],
        [0, 0, 0],
      ],
    );
    assert.deepEqual(a[3], [0, 0, 0, 1]);
    assert.deepEqual(p.image.shape, [Math.round(360 / sx), Math.round(360 / sy), Math.round(180 / sz)]);
    const [ni, nj, nk] = p.image.shape;
    const centre = voxelToWorld(a, (ni - 1) / 2, (nj - 1) / 2, (nk - 1) / 2);
    assert.ok(Math.abs(centre[0] - 10) < 1e-9 && Math.abs(centre[1] + 20) < 1e-9);
    assert.ok(Math.abs(centre[2] - (15 - 250)) < 1e-9);
  });

  test("an LPS-ordered output flips i and j with the affine, keeping world positions", () => {
    const ras = generatePhantom({ seed: 4, size: "tiny", style: { orientation: "RAS" } });
    const lps = generatePhantom({ seed: 4, size: "tiny", style: { orientation: "LPS" } });
    const [ni, nj, nk] = ras.image.shape;
    assert.deepEqual(lps.image.shape, ras.image.shape);
    const a = lps.image.affine;
    assert.ok(a[0][0] < 0 && a[1][1] < 0 && a[2][2] > 0, "x and y axes point left-to-right reversed");
    assert.equal(a[0][0], -ras.image.affine[0][0]);
    for (const [i, j, k] of [
      [0, 0, 0],
      [3, 7, 5],
      [ni - 1, nj - 1, nk - 1],
    ]) {
      const p = (k * nj + j) * ni + i;
      const q = (k * nj + (nj - 1 - j)) * ni + (ni - 1 - i);
      assert.equal(lps.image.data[q], ras.image.data[p]);
      assert.equal(lps.labels.data[q], ras.labels.data[p]);
      const w1 = voxelToWorld(a, ni - 1 - i, nj - 1 - j, k);
      const w2 = voxelToWorld(ras.image.affine, i, j, k);
      for (let ax = 0; ax < 3; ax++) assert.ok(Math.abs(w1[ax] - w2[ax]) < 1e-9);
    }
    for (const id of [1, 2, 3, 4]) {
      const c1 = worldCentroid(ras.labels, id);
      const c2 = worldCentroid(lps.labels, id);
      for (let ax = 0; ax < 3; ax++) assert.ok(Math.abs(c1[ax] - c2[ax]) < 1e-6);
    }
  });

  test("invalid styles are rejected", () => {
    assert.throws(
      () => generatePhantom({ seed: 1, size: "tiny", style: { inPlaneSpacingMm: -1 } }),
      RangeError,
    );
    assert.throws(() => generatePhantom({ seed: 1, size: "tiny", style: { fovMm: 0 } }), RangeError);
    assert.throws(
      () => generatePhantom({ seed: 1, size: "tiny", style: { phase: "delayed" as "arterial" } }),
      RangeError,
    );
    assert.throws(() => generatePhantom({ seed: 1, size: "huge" as "tiny" }), RangeError);
    assert.equal(DEFAULT_SCANNER_STYLE.phase, "portal-venous");
  });
});
