// Our writer, judged by nibabel: every dtype x byte order x NIfTI-1/2 x .nii/.nii.gz is written,
// then nibabel must read the same data (checksum of the input array), the same affine (as sform and
// as qform), pixdim, units and codes; our reader must agree with nibabel on each file too. Then a
// read-modify-write of nibabel's own files keeps extensions, text fields, scaling and geometry.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readNifti, writeNifti } from "../../../src/data/nifti/index.js";
import type { Affine, VoxelArray, VoxelDtype } from "../../../src/data/volume.js";
import {
  assertAffineClose,
  assertMatchesNibabel,
  NIBABEL_TEST_DATA,
  type NibabelDump,
  nibabelDump,
  sha256Of,
} from "./nibabel-reference.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-nifti-writer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE = [5, 4, 3];
const COUNT = 60;

/** Rotation about three axes, zooms (0.8, 1.2, 2.5), x flipped: a negative determinant, so qfac -1. */
function obliqueAffine(): Affine {
  const [a, b, c] = [0.3, -0.2, 0.45];
  const rx = [
    [1, 0, 0],
    [0, Math.cos(a), -Math.sin(a)],
    [0, Math.sin(a), Math.cos(a)],
  ];
  const ry = [
    [Math.cos(b), 0, Math.sin(b)],
    [0, 1, 0],
    [-Math.sin(b), 0, Math.cos(b)],
  ];
  const rz = [
    [Math.cos(c), -Math.sin(c), 0],
    [Math.sin(c), Math.cos(c), 0],
    [0, 0, 1],
  ];
  const mul = (p: number[][], q: number[][]) =>
    p.map((row) => q[0].map((_, j) => row.reduce((s, v, k) => s + v * q[k][j], 0)));
  const m = mul(mul(rz, ry), rx);
  const zooms = [-0.8, 1.2, 2.5];
  return [
    [m[0][0] * zooms[0], m[0][1] * zooms[1], m[0][2] * zooms[2], -91.25],
    [m[1][0] * zooms[0], m[1][1] * zooms[1], m[1][2] * zooms[2], 12.5],
    [m[2][0] * zooms[0], m[2][1] * zooms[1], m[2][2] * zooms[2], 40.125],
    [0, 0, 0, 1],
  ];
}

/** Deterministic values that include each dtype's extremes. */
function sampleData(dtype: VoxelDtype): VoxelArray {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ints: Record<string, [number, number, new (n: number) => VoxelArray]> = {
    uint8: [0, 255, Uint8Array],
    int8: [-128, 127, Int8Array],
    int16: [-32768, 32767, Int16Array],
    uint16: [0, 65535, Uint16Array],
    int32: [-2147483648, 2147483647, Int32Array],
    uint32: [0, 4294967295, Uint32Array],
  };
  if (dtype === "int64") {
    const out = new BigInt64Array(COUNT);
    for (let i = 0; i < COUNT; i++) out[i] = BigInt(Math.floor((next() - 0.5) * 2 ** 52)) * 1021n;
    out[0] = -(2n ** 63n);
    out[1] = 2n ** 63n - 1n;
    return out;
  }
  if (dtype === "float32" || dtype === "float64") {
    const out = dtype === "float32" ? new Float32Array(COUNT) : new Float64Array(COUNT);
    for (let i = 0; i < COUNT; i++) out[i] = (next() - 0.5) * 1e4;
    out[0] = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
    out[1] = -0;
    out[2] = 1e-40;
    return out;
  }
  const [lo, hi, Type] = ints[dtype];
  const out = new Type(COUNT);
  for (let i = 0; i < COUNT; i++) out[i] = Math.floor(lo + next() * (hi - lo + 1));
  out[0] = lo;
  out[1] = hi;
  return out;
}

const DTYPES: VoxelDtype[] = [
  "uint8",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float32",
  "float64",
];
interface Case {
  path: string;
  dtype: VoxelDtype;
  version: 1 | 2;
  byteOrder: "little" | "big";
  data: VoxelArray;
}
const affine = obliqueAffine();
const cases: Case[] = [];
for (const dtype of DTYPES) {
  for (const byteOrder of ["little", "big"] as const) {
    for (const version of [1, 2] as const) {
      for (const ext of [".nii", ".nii.gz"]) {
        const path = join(dir, `w_${dtype}_${byteOrder}_v${version}${ext}`);
        cases.push({ path, dtype, version, byteOrder, data: sampleData(dtype) });
      }
    }
  }
}

// Rewrites of nibabel's own files: example4d has extensions and text fields, functional is scaled.
const example4d = join(NIBABEL_TEST_DATA, "example4d.nii.gz");
const functional = join(NIBABEL_TEST_DATA, "functional.nii");
const rewritten = {
  example4dRewritten: join(dir, "example4d_rewritten_v2_big.nii.gz"),
  fromStored: join(dir, "functional_stored.nii"),
  fromScaled: join(dir, "functional_scaled.nii"),
};

let dumps: NibabelDump[] = [];
const rewriteDumps: Record<string, NibabelDump> = {};

// All writing happens first, so that one Python process checks every file.
before(async () => {
  for (const c of cases) {
    await writeNifti(
      c.path,
      { shape: SHAPE, dtype: c.dtype, data: c.data, affine },
      { version: c.version, byteOrder: c.byteOrder },
    );
  }
  await writeNifti(rewritten.example4dRewritten, await readNifti(example4d), {
    version: 2,
    byteOrder: "big",
  });
  await writeNifti(rewritten.fromStored, await readNifti(functional));
  await writeNifti(rewritten.fromScaled, await readNifti(functional, { scaled: true }));
  const extra = { example4d, functional, ...rewritten };
  const all = nibabelDump([...cases.map((c) => c.path), ...Object.values(extra)]);
  dumps = all.slice(0, cases.length);
  Object.keys(extra).forEach((key, i) => {
    rewriteDumps[key] = all[cases.length + i];
  });
});

test("writes all 72 combinations, and nibabel loads each", () => {
  assert.equal(cases.length, 72);
  assert.equal(dumps.length, 72);
  assert.deepEqual(
    dumps.filter((d) => d.error).map((d) => `${d.path}: ${d.error}`),
    [],
  );
});

test("nibabel reads back our data, dtype, byte order, version and gzip", () => {
  cases.forEach((c, i) => {
    const d = dumps[i];
    assert.equal(d.dtype, c.dtype, c.path);
    assert.equal(d.endianness, c.byteOrder, c.path);
    assert.equal(d.version, c.version, c.path);
    assert.deepEqual(d.shape, SHAPE, c.path);
    assert.equal(d.raw.sha256, sha256Of(c.data), `${c.path}: voxels`);
    const gz = readFileSync(c.path).subarray(0, 2);
    assert.equal(gz[0] === 0x1f && gz[1] === 0x8b, c.path.endsWith(".gz"), `${c.path}: compression`);
  });
});

test("nibabel reads back our affine as sform and as qform, with pixdim, codes and units", () => {
  const zooms = [0.8, 1.2, 2.5];
  cases.forEach((c, i) => {
    const d = dumps[i];
    // NIfTI-1 stores these as float32.
    const tol = c.version === 1 ? 1e-6 : 1e-12;
    assertAffineClose(d.affine, affine, tol, `${c.path} affine`);
    // The quaternion is float32 too in NIfTI-1, which limits the qform to a few parts in a million.
    assertAffineClose(d.qform, affine, c.version === 1 ? 5e-6 : 1e-9, `${c.path} qform`);
    assert.deepEqual([d.header.sform_code, d.header.qform_code], [1, 1], c.path);
    assert.equal(d.header.pixdim[0], -1, `${c.path}: qfac`);
    for (const [k, z] of zooms.entries()) {
      assert.ok(Math.abs(d.header.pixdim[k + 1] - z) < tol * 10, `${c.path}: pixdim`);
    }
    assert.equal(d.header.xyzt_units, 10, `${c.path}: mm + s`);
    assert.equal(d.data_offset, c.version === 1 ? 352 : 544, c.path);
    assert.equal(d.axcodes, "LAS");
  });
});

test("our reader agrees with nibabel on every written file", async () => {
  for (const [i, c] of cases.entries()) {
    const raw = await readNifti(c.path);
    assertMatchesNibabel(raw, await readNifti(c.path, { scaled: true }), dumps[i]);
  }
});

test("read-modify-write keeps extensions, text fields, units, pixdim[4] and geometry", () => {
  const before = rewriteDumps.example4d;
  const after = rewriteDumps.example4dRewritten;
  assert.equal(after.error, undefined);
  assert.deepEqual([after.version, after.endianness], [2, "big"]);
  assert.deepEqual(after.extensions, before.extensions);
  assert.equal(after.header.descrip, before.header.descrip);
  assert.equal(after.header.xyzt_units, before.header.xyzt_units);
  assert.deepEqual(after.header.pixdim.slice(4), before.header.pixdim.slice(4));
  assert.equal(after.header.intent_code, before.header.intent_code);
  assertAffineClose(after.affine, before.affine, 0, "affine");
  assert.equal(after.raw.sha256, before.raw.sha256);
  assert.equal(after.axcodes, before.axcodes);
});

test("rewriting a scaled file keeps its values, both from stored values and from scaled floats", () => {
  const before = rewriteDumps.functional;
  const a = rewriteDumps.fromStored;
  const b = rewriteDumps.fromScaled;
  assert.equal(a.dtype, "int16", "stored values keep their dtype and scale factors");
  assert.deepEqual(a.slope_inter, before.slope_inter);
  assert.equal(a.fdata64.sha256, before.fdata64.sha256);
  assert.equal(b.dtype, "float64", "scaled floats are written unscaled");
  assert.deepEqual(b.slope_inter, [1, 0]);
  assert.equal(b.fdata64.sha256, before.fdata64.sha256);
});

test("a dimension over 32767 switches to NIfTI-2; forcing NIfTI-1 is an error naming the file", async () => {
  const big = { shape: [40000, 1, 1], dtype: "uint8" as const, data: new Uint8Array(40000), affine };
  const path = join(dir, "long.nii");
  await writeNifti(path, big);
  assert.equal((await readNifti(path)).header.version, 2);
  await assert.rejects(writeNifti(path, big, { version: 1 }), (err: Error) => {
    assert.ok(err.message.startsWith(`${path}:`), err.message);
    return true;
  });
});

test("a volume whose data does not match its shape or dtype is refused, naming the file", async () => {
  const path = join(dir, "bad.nii");
  const wrongLength = { shape: [2, 2, 2], dtype: "uint8" as const, data: new Uint8Array(7), affine };
  await assert.rejects(writeNifti(path, wrongLength), /bad\.nii: shape 2x2x2 has 8 voxels but data has 7/);
  const wrongType = { shape: [2, 2, 2], dtype: "int16" as const, data: new Uint8Array(8), affine };
  await assert.rejects(writeNifti(path, wrongType), /bad\.nii: dtype int16 but data is a Uint8Array/);
});
