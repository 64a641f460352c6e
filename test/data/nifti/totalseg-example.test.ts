// The real CT from test/fixtures/totalseg-example: our reader against nibabel and against the facts
// in its PROVENANCE.md (including the corrected origin of the small files). Its decoding speed is
// measured by bench/nifti-decode.ts, beside nibabel's.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { orientationCodes, readNifti } from "../../../src/data/nifti/index.js";
import { assertMatchesNibabel, minMaxOf, nibabelDump, TOTALSEG_DIR } from "./nibabel-reference.js";

const FILES = ["ct.nii.gz", "ct_small.nii.gz", "seg_small.nii.gz"].map((f) => join(TOTALSEG_DIR, f));
const dumps = nibabelDump(FILES);

FILES.forEach((path, i) => {
  test(`${path} reads as nibabel reads it`, async () => {
    const raw = await readNifti(path);
    assertMatchesNibabel(raw, await readNifti(path, { scaled: true }), dumps[i]);
    assert.equal(orientationCodes(raw.affine), dumps[i].axcodes);
  });
});

test("ct.nii.gz matches PROVENANCE.md: int32 122x101x112, 3 mm, origin, RAS, sform 2, HU range", async () => {
  const ct = await readNifti(FILES[0]);
  assert.deepEqual(ct.shape, [122, 101, 112]);
  assert.equal(ct.dtype, "int32");
  assert.deepEqual([ct.header.sformCode, ct.header.qformCode], [2, 0]);
  const origin = [-177.956, 11.319, 94.302];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) assert.equal(ct.affine[i][j], i === j ? 3 : 0);
    assert.ok(Math.abs(ct.affine[i][3] - origin[i]) < 5e-4, `origin ${i}: ${ct.affine[i][3]}`);
  }
  assert.equal(orientationCodes(ct.affine), "RAS");
  assert.deepEqual(minMaxOf(ct.data), ["-1207", "3382"]);
});

test("ct_small and seg_small are ct's slices 82..111, on ct's grid: 122x101x30, int16 and uint8", async () => {
  const ct = await readNifti(FILES[0]);
  const small = await readNifti(FILES[1]);
  const seg = await readNifti(FILES[2]);
  assert.deepEqual([small.shape, small.dtype], [[122, 101, 30], "int16"]);
  assert.deepEqual([seg.shape, seg.dtype], [[122, 101, 30], "uint8"]);
  // Upstream ships the small files with ct's origin; ours carry the true one, 82 slices x 3 mm
  // further along z, so a voxel of ct_small sits where the same voxel of ct does.
  const first = 82;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      const expected = j === 3 ? ct.affine[i][3] + ct.affine[i][2] * first : ct.affine[i][j];
      assert.ok(Math.abs(small.affine[i][j] - expected) < 1e-4, `ct_small affine[${i}][${j}]`);
      assert.equal(seg.affine[i][j], small.affine[i][j], `seg_small affine[${i}][${j}]`);
    }
  }
  assert.ok(Math.abs(small.affine[2][3] - 340.302) < 5e-4, `origin z ${small.affine[2][3]}`);
  const [nx, ny] = ct.shape;
  const slice = nx * ny;
  for (let v = 0; v < small.data.length; v++)
    if (Number(small.data[v]) !== Number(ct.data[first * slice + v]))
      assert.fail(`ct_small voxel ${v} differs from ct's voxel ${first * slice + v}`);
});
