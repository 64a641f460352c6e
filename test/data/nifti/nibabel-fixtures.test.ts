// Our reader against nibabel on files nibabel writes (reference/nibabel_make_fixtures.py): scale
// factors nibabel chose, big-endian NIfTI-1/2, int64 extremes, extensions, qform-only, sform-vs-qform
// precedence, no transform at all, 2D, (x, y, z, 1), a large vox_offset, and headers nibabel repairs.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { orientationCodes, readNifti, readNiftiHeader } from "../../../src/data/nifti/index.js";
import {
  assertFloat32Close,
  assertMatchesNibabel,
  assertRoundedFrom,
  nibabelDump,
  nibabelMakeFixtures,
} from "./nibabel-reference.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-nibabel-fixtures-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = nibabelMakeFixtures(dir);
const dumps = nibabelDump(
  fixtures.map((f) => f.path),
  dir,
);
const byName = new Map(fixtures.map((f, i) => [f.name, { fixture: f, ref: dumps[i] }]));

for (const [i, fixture] of fixtures.entries()) {
  test(`${fixture.name} (${fixture.covers}) reads as nibabel reads it`, async () => {
    const ref = dumps[i];
    const raw = await readNifti(fixture.path);
    const scaled = await readNifti(fixture.path, { scaled: true });
    assertMatchesNibabel(raw, scaled, ref);
    assert.equal(orientationCodes(raw.affine), ref.axcodes);
    if (ref.fdata32_file) {
      const f32 = await readNifti(fixture.path, { scaled: true, floatDtype: "float32" });
      assertFloat32Close(f32.data, ref.fdata32_file, ref.slope_inter?.[1] ?? 0, fixture.name);
      assertRoundedFrom(f32.data, scaled.data, fixture.name);
    }
    assert.deepEqual(await readNiftiHeader(fixture.path), raw.header);
  });
}

test("the fixtures exercise what they claim", () => {
  const get = (name: string) => {
    const entry = byName.get(name);
    assert.ok(entry, `fixture ${name} missing`);
    return entry.ref;
  };
  assert.equal(get("int64_nifti2_big.nii.gz").endianness, "big");
  assert.equal(get("int64_nifti2_big.nii.gz").raw.min, "-9223372036854775808");
  assert.equal(get("scaled_float32_big.nii.gz").slope_inter?.[0], 2.5);
  assert.equal(get("uint32_two_extensions.nii.gz").extensions.length, 2);
  assert.equal(get("large_vox_offset.nii").data_offset, 1024);
  assert.deepEqual(
    [get("qform_only.nii").header.sform_code, get("qform_only.nii").header.qform_code],
    [0, 1],
  );
  assert.deepEqual(
    [get("no_transform.nii").header.sform_code, get("no_transform.nii").header.qform_code],
    [0, 0],
  );
  for (const dtype of ["uint8", "int8", "int16", "uint16", "int32"]) {
    const si = get(`scaled_${dtype}.nii`).slope_inter;
    assert.ok(si && (si[0] !== 1 || si[1] !== 0), `scaled_${dtype} has scaling`);
  }
});

test("qform repairs (qfac 0, negative pixdim) are reported as warnings", async () => {
  const img = await readNifti(byName.get("qfac_zero.nii")!.fixture.path);
  assert.equal(img.header.warnings.length, 2, img.header.warnings.join("; "));
});

test("require3D drops a trailing singleton dimension and keeps the data", async () => {
  const path = byName.get("trailing_singleton.nii")!.fixture.path;
  const img = await readNifti(path, { require3D: true });
  assert.deepEqual(img.shape, [7, 6, 5]);
  assert.equal(img.data.length, 7 * 6 * 5);
});

test("require3D rejects a 2D image, naming the file", async () => {
  const path = byName.get("two_d.nii")!.fixture.path;
  await assert.rejects(readNifti(path, { require3D: true }), (err: Error) => {
    assert.ok(err.message.includes(path));
    assert.match(err.message, /expected a 3D image, got shape 8x5/);
    return true;
  });
});
