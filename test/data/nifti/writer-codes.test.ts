// Transform codes as nibabel writes them: a sheared affine gets qform_code 0 (a quaternion cannot
// hold shears) and an exact sform; a file's own codes survive a read and write.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readNifti, writeNifti } from "../../../src/data/nifti/index.js";
import { TOTALSEG_EXAMPLE } from "../../fixtures/index.js";
import { assertAffineClose, nibabelDump } from "./nibabel-reference.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-codes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sheared = [
  [1.5, 0.3, 0, -90],
  [0, 1.5, 0.2, -120],
  [0.1, 0, 2, 30],
  [0, 0, 0, 1],
];
const rotated = [
  [0, -1.2, 0, 10],
  [1.2, 0, 0, -5],
  [0, 0, 2.5, 7],
  [0, 0, 0, 1],
];

test("a sheared affine is written with qform_code 0 and an exact sform; an orthogonal one keeps both", async () => {
  const volume = (affine: number[][]) => ({
    shape: [3, 4, 5],
    dtype: "uint8" as const,
    data: new Uint8Array(60),
    affine,
  });
  const shearedPath = join(dir, "sheared.nii");
  const rotatedPath = join(dir, "rotated.nii");
  await writeNifti(shearedPath, volume(sheared));
  await writeNifti(rotatedPath, volume(rotated));
  const [s, r] = nibabelDump([shearedPath, rotatedPath]);
  assert.deepEqual([s.header.sform_code, s.header.qform_code], [1, 0]);
  assertAffineClose(s.affine, sheared, 1e-6, "nibabel's affine of the sheared file");
  assert.deepEqual([r.header.sform_code, r.header.qform_code], [1, 1]);
  assertAffineClose(r.qform, rotated, 5e-6, "qform of the rotated file");
  // Our reader takes the sform too.
  const back = await readNifti(shearedPath);
  assert.deepEqual([back.header.sformCode, back.header.qformCode], [1, 0]);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 4; j++)
      assert.ok(Math.abs(back.affine[i][j] - sheared[i][j]) < 1e-5, `affine[${i}][${j}]`);
});

test("a file's own transform codes survive a read and write (the real CT: sform 2, qform 0)", async () => {
  const ct = await readNifti(TOTALSEG_EXAMPLE.ctSmall);
  assert.deepEqual([ct.header.sformCode, ct.header.qformCode], [2, 0]);
  const out = join(dir, "ct-rewritten.nii.gz");
  await writeNifti(out, ct);
  const [d] = nibabelDump([out]);
  assert.deepEqual([d.header.sform_code, d.header.qform_code], [2, 0]);
  assertAffineClose(d.affine, ct.affine, 1e-6, "affine");
});
