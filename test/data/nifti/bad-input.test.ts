// Bad input: every failure is an Error whose message names the file and the problem.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  assertSameGeometry,
  encodeNifti,
  readNifti,
  readNiftiHeader,
  writeNifti,
} from "../../../src/data/nifti/index.js";
import type { Affine, Volume } from "../../../src/data/volume.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-nifti-bad-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const EYE: Affine = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];
const cube = (n = 4): Volume => ({
  shape: [n, n, n],
  dtype: "uint8",
  data: new Uint8Array(n ** 3),
  affine: EYE,
});

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A valid NIfTI-1 file's bytes with one little-endian int16 header field changed. */
function patchedInt16(offset: number, value: number, volume = cube()): Uint8Array {
  const bytes = encodeNifti(volume);
  new DataView(bytes.buffer).setInt16(offset, value, true);
  return bytes;
}

async function rejectsNaming(promise: Promise<unknown>, path: string, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(err.message.includes(path), `message should name ${path}: ${err.message}`);
    assert.match(err.message, problem);
    return true;
  });
}

/** Both readers, started one at a time (a promise created early could reject before it is awaited). */
const both = (path: string) => [() => readNifti(path), () => readNiftiHeader(path)];

test("not NIfTI: wrong sizeof_hdr", async () => {
  const path = file(
    "text.nii",
    new TextEncoder().encode("this is not an image, just some text\n".repeat(20)),
  );
  for (const read of both(path)) await rejectsNaming(read(), path, /not a NIfTI file: sizeof_hdr is \d+/);
});

test("not NIfTI: a file too short to hold sizeof_hdr", async () => {
  const path = file("tiny.nii", new Uint8Array([1, 2]));
  await rejectsNaming(readNifti(path), path, /not a NIfTI file: only 2 bytes/);
});

test("not NIfTI: right sizeof_hdr, bad magic", async () => {
  const bytes = encodeNifti(cube());
  bytes.set([0x78, 0x79, 0x7a, 0], 344);
  const path = file("badmagic.nii", bytes);
  for (const read of both(path)) await rejectsNaming(read(), path, /bad magic "xyz"/);
});

test("truncated header", async () => {
  const path = file("cut_header.nii", encodeNifti(cube()).subarray(0, 200));
  for (const read of both(path))
    await rejectsNaming(read(), path, /truncated: 200 bytes, a NIfTI-1 header needs 348/);
});

test("truncated data, plain and gzip-compressed", async () => {
  const whole = encodeNifti(cube());
  const cut = whole.subarray(0, whole.length - 10);
  for (const [name, bytes] of [
    ["cut_data.nii", cut],
    ["cut_data.nii.gz", gzipSync(cut)],
  ] as const) {
    const path = file(name, bytes);
    await rejectsNaming(readNifti(path), path, /truncated: shape 4x4x4 uint8 needs 64 data bytes .* has 54/);
  }
});

test("truncated gzip stream", async () => {
  const gz = gzipSync(encodeNifti(cube(16)));
  const path = file("cut.nii.gz", gz.subarray(0, gz.length >> 1));
  await rejectsNaming(readNifti(path), path, /truncated gzip stream/);
});

test("corrupt gzip stream: bad checksum, and garbage after the gzip magic", async () => {
  const gz = gzipSync(encodeNifti(cube()));
  gz[gz.length - 6] ^= 0xff; // inside the CRC-32 trailer
  const crc = file("crc.nii.gz", gz);
  await rejectsNaming(readNifti(crc), crc, /corrupt gzip stream \(incorrect data check\)/);
  const garbage = file(
    "garbage.nii.gz",
    new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]),
  );
  for (const read of both(garbage)) await rejectsNaming(read(), garbage, /(corrupt|truncated) gzip stream/);
});

test("unsupported datatype names the code and its type", async () => {
  const complex = file("complex.nii", patchedInt16(70, 32));
  await rejectsNaming(readNifti(complex), complex, /unsupported datatype 32 \(complex64\)/);
  const u64 = file("uint64.nii", patchedInt16(70, 1280));
  await rejectsNaming(readNifti(u64), u64, /unsupported datatype 1280 \(uint64\)/);
  const junk = file("junk_type.nii", patchedInt16(70, 999));
  await rejectsNaming(readNifti(junk), junk, /unsupported datatype 999 \(not a NIfTI datatype code\)/);
  // The header alone is still readable: it says what the file holds.
  assert.equal((await readNiftiHeader(complex)).datatype, 32);
});

test("impossible dims", async () => {
  const path = file("dim0.nii", patchedInt16(40, 9));
  await rejectsNaming(readNifti(path), path, /dim\[0\] is 9, must be 1\.\.7/);
});

test("not 3D when 3D is required", async () => {
  const path = join(dir, "four_d.nii.gz");
  await writeNifti(path, { shape: [2, 2, 2, 2], dtype: "int16", data: new Int16Array(16), affine: EYE });
  await rejectsNaming(
    readNifti(path, { require3D: true }),
    path,
    /expected a 3D image, got shape 2x2x2x2 \(4D\)/,
  );
  assert.deepEqual((await readNifti(path)).shape, [2, 2, 2, 2], "without the requirement it reads");
});

test("missing file", async () => {
  const path = join(dir, "nope.nii.gz");
  for (const read of both(path)) await rejectsNaming(read(), path, /file not found/);
});

test("image and label with different shape", () => {
  assert.throws(
    () => assertSameGeometry("/d/img.nii.gz", cube(4), "/d/lab.nii.gz", cube(5), 0.01),
    /^DataError: \/d\/lab\.nii\.gz: label shape 5x5x5 differs from image shape 4x4x4 of \/d\/img\.nii\.gz$/,
  );
});

test("image and label with different affine: outside the tolerance throws, inside passes", () => {
  const shifted = cube();
  shifted.affine = EYE.map((row, i) => (i === 0 ? [1, 0, 0, 0.4] : row.slice()));
  assert.throws(
    () => assertSameGeometry("/d/img.nii.gz", cube(), "/d/lab.nii.gz", shifted, 0.1),
    /\/d\/lab\.nii\.gz: label affine differs from the affine of \/d\/img\.nii\.gz by 0\.4000 mm/,
  );
  assertSameGeometry("/d/img.nii.gz", cube(), "/d/lab.nii.gz", shifted, 0.5);
  const tilted = cube();
  tilted.affine = [
    [1, 0, 0.01, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  // 0.01 mm per slice of k over 3 slices: 0.03 mm at the far corner.
  assert.throws(
    () => assertSameGeometry("a", cube(), "b", tilted, 0.02),
    /by 0\.03000 mm at voxel \(\d, \d, 3\)/,
  );
});

test("the error carries the file and the reason separately", async () => {
  const path = file("again_text.nii", new TextEncoder().encode("x".repeat(400)));
  await assert.rejects(readNifti(path), (err: Error & { file?: string; reason?: string }) => {
    assert.equal(err.file, path);
    assert.match(err.reason ?? "", /^not a NIfTI file/);
    return true;
  });
  assert.ok(readFileSync(path).length === 400);
});
