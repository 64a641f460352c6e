// Our reader against nibabel on nibabel's own NIfTI test files: every .nii / .nii.gz in its test
// data folder is compared field by field, affine, orientation and voxel checksums. Files that are
// out of scope are listed with the reason, and the list is checked to be exactly what is there.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { orientationCodes, readNifti, readNiftiHeader } from "../../../src/data/nifti/index.js";
import {
  assertFloat32Close,
  assertMatchesNibabel,
  assertRoundedFrom,
  NIBABEL_TEST_DATA,
  nibabelDump,
} from "./nibabel-reference.js";

/** .nii / .nii.gz files there that we do not compare, and why. Currently none. */
const EXCLUDED_NII: Record<string, string> = {};

/**
 * NIfTI headers in that folder that are not .nii files. They are header/image pairs (magic ni1 /
 * ni2) whose .img is not shipped, so there is no image to read; only single-file NIfTI is in scope.
 * The reader must refuse them clearly, which is checked below.
 */
const PAIR_HEADERS = ["nifti1.hdr", "nifti2.hdr"];

const allFiles = readdirSync(NIBABEL_TEST_DATA).sort();
const niiFiles = allFiles.filter((f) => /\.nii(\.gz)?$/.test(f));
const compared = niiFiles.filter((f) => !(f in EXCLUDED_NII));
const floatDir = mkdtempSync(join(tmpdir(), "segviz-nibabel-f32-"));
const dumps = nibabelDump(
  compared.map((f) => join(NIBABEL_TEST_DATA, f)),
  floatDir,
);
after(() => rmSync(floatDir, { recursive: true, force: true }));

test("the test data folder has the NIfTI files we expect to compare", () => {
  assert.ok(niiFiles.length >= 8, `found only ${niiFiles.join(", ")}`);
  for (const name of Object.keys(EXCLUDED_NII))
    assert.ok(niiFiles.includes(name), `${name} listed but absent`);
});

test("nibabel itself loads every compared file", () => {
  const failed = dumps.filter((d) => d.error !== undefined).map((d) => `${d.path}: ${d.error}`);
  assert.deepEqual(failed, []);
});

compared.forEach((name, i) => {
  test(`${name} reads as nibabel reads it`, async () => {
    const path = join(NIBABEL_TEST_DATA, name);
    const ref = dumps[i];
    const raw = await readNifti(path);
    const scaled = await readNifti(path, { scaled: true });
    assertMatchesNibabel(raw, scaled, ref);
    assert.equal(orientationCodes(raw.affine), ref.axcodes);
    if (ref.fdata32_file) {
      const f32 = await readNifti(path, { scaled: true, floatDtype: "float32" });
      assertFloat32Close(f32.data, ref.fdata32_file, ref.slope_inter?.[1] ?? 0, name);
      assertRoundedFrom(f32.data, scaled.data, name);
    }
    assert.deepEqual(await readNiftiHeader(path), raw.header, "header-only read agrees with the full read");
  });
});

test("nibabel's scaled test file really is scaled (so scaling is exercised)", () => {
  assert.ok(dumps.some((d) => d.slope_inter && (d.slope_inter[0] !== 1 || d.slope_inter[1] !== 0)));
});

for (const name of PAIR_HEADERS) {
  test(`${name} (header/image pair, out of scope) is refused with a clear message`, async () => {
    assert.ok(allFiles.includes(name));
    const path = join(NIBABEL_TEST_DATA, name);
    await assert.rejects(readNiftiHeader(path), (err: Error) => {
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, /pair .*not supported/);
      return true;
    });
  });
}
