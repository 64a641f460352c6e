// Runs the nibabel reference scripts (one Python process per call, for many files at once) and
// compares what our reader produced with what nibabel read.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findPythonWith } from "../../../bench/reference-python.js";
import type { NiftiImage } from "../../../src/data/nifti/index.js";
import type { Affine, VoxelArray } from "../../../src/data/volume.js";
import { TOTALSEG_EXAMPLE } from "../../fixtures/index.js";

export const NIBABEL_TEST_DATA = "/usr/lib/python3/dist-packages/nibabel/tests/data";
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const REFERENCE_DIR = `${REPO_ROOT}reference/`;

/** The real CT example, with a trailing slash (test/fixtures/totalseg-example). */
export const TOTALSEG_DIR = `${TOTALSEG_EXAMPLE.dir}/`;

export interface DataStats {
  sha256: string;
  min: string;
  max: string;
}

export interface NibabelDump {
  path: string;
  error?: string;
  version: 1 | 2;
  endianness: "little" | "big";
  shape: number[];
  dtype: string;
  data_offset: number;
  header: {
    dim: number[];
    pixdim: number[];
    datatype: number;
    vox_offset: number;
    scl_slope: number;
    scl_inter: number;
    qform_code: number;
    sform_code: number;
    quatern: number[];
    qoffset: number[];
    srow: number[][];
    xyzt_units: number;
    intent_code: number;
    intent_name: string;
    intent_p: number[];
    descrip: string;
    aux_file: string;
    cal: number[];
    slice: number[];
    slice_duration: number;
    toffset: number;
    dim_info: number;
    magic: string;
  };
  extensions: { code: number; sha256?: string; length?: number }[];
  affine: Affine;
  sform: Affine;
  qform: Affine;
  axcodes: string;
  slope_inter: [number, number] | null;
  raw: DataStats;
  fdata64: DataStats;
  fdata32_file?: string;
}

/** An interpreter that has nibabel: $SEGVIZ_PYTHON, Debian's /usr/bin/python3, or python3 on PATH. */
export function pythonWithNibabel(): string {
  const python = findPythonWith("nibabel");
  if (python) return python;
  throw new Error(
    "no Python with nibabel found (tried $SEGVIZ_PYTHON, /usr/bin/python3, python3); " +
      "install python3-nibabel (bash scripts/setup.sh --dev)",
  );
}

function runReference(script: string, args: string[], input?: string): string {
  return execFileSync(pythonWithNibabel(), [`${REFERENCE_DIR}${script}`, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    // stderr is captured (nibabel logs its header repairs there) and shown only if the script fails.
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export function nibabelDump(files: string[], float32Dir?: string): NibabelDump[] {
  const args = float32Dir ? ["--float32-dir", float32Dir, ...files] : files;
  return JSON.parse(runReference("nibabel_dump.py", args));
}

export function nibabelAxcodes(affines: Affine[]): string[] {
  return JSON.parse(runReference("nibabel_axcodes.py", [], JSON.stringify(affines)));
}

export interface Fixture {
  name: string;
  path: string;
  covers: string;
}

export function nibabelMakeFixtures(dir: string): Fixture[] {
  return JSON.parse(runReference("nibabel_make_fixtures.py", [dir]));
}

/** SHA-256 of the voxels as little-endian bytes, the form nibabel_dump.py hashes. */
export function sha256Of(data: VoxelArray): string {
  // Tests run on little-endian hosts; say so loudly if that ever changes.
  assert.equal(new Uint8Array(new Uint16Array([1]).buffer)[0], 1, "hashing assumes a little-endian host");
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

export function assertAffineClose(actual: Affine, expected: Affine, tol: number, what: string): void {
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const diff = Math.abs(actual[i][j] - expected[i][j]);
      assert.ok(
        diff <= tol * Math.max(1, Math.abs(expected[i][j])),
        `${what}: affine[${i}][${j}] ${actual[i][j]} vs ${expected[i][j]}\n${JSON.stringify(actual)}\n${JSON.stringify(expected)}`,
      );
    }
  }
}

function ulp32(x: number): number {
  const magnitude = Math.abs(x);
  return magnitude < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(magnitude)) - 23);
}

/**
 * Scaled float32 data against nibabel's get_fdata(dtype=float32). Ours is the float64 result rounded
 * once; nibabel under numpy 1.x computes small integer types in float32 (product and sum each
 * rounded), so it may be off by an ulp of the product and one of the result.
 */
export function assertFloat32Close(
  actual: VoxelArray,
  expectedFile: string,
  inter: number,
  what: string,
): void {
  const bytes = readFileSync(expectedFile);
  const expected = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  assert.ok(actual instanceof Float32Array, `${what}: scaled float32 data`);
  assert.equal(actual.length, expected.length, `${what}: voxel count`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const tol = 2 * ulp32(2 * Math.max(Math.abs(e), Math.abs(inter)));
    assert.ok(Math.abs(a - e) <= tol, `${what}: voxel ${i} is ${a}, nibabel float32 gives ${e}`);
  }
}

/** Float32 scaling must be the float64 result rounded once. */
export function assertRoundedFrom(f32: VoxelArray, f64: VoxelArray, what: string): void {
  assert.equal(f32.length, f64.length);
  for (let i = 0; i < f64.length; i++) {
    const want = Math.fround(f64[i] as number);
    if (!Object.is(f32[i], want) && !(Number.isNaN(want) && Number.isNaN(f32[i] as number))) {
      assert.fail(`${what}: float32 voxel ${i} is ${f32[i]}, float64 result rounds to ${want}`);
    }
  }
}

function numberOrNaN(text: string): number {
  return text === "nan" ? Number.NaN : Number(text);
}

/** min and max as nibabel reports them (NaN if any voxel is NaN), as strings for exact integers. */
export function minMaxOf(data: VoxelArray): [string, string] {
  if (data instanceof BigInt64Array) {
    let lo = data[0];
    let hi = data[0];
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo.toString(), hi.toString()];
  }
  let lo = data[0];
  let hi = data[0];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) return ["nan", "nan"];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [String(lo), String(hi)];
}

function assertStats(data: VoxelArray, expected: DataStats, what: string): void {
  assert.equal(sha256Of(data), expected.sha256, `${what}: data checksum`);
  const [lo, hi] = minMaxOf(data);
  if (data instanceof BigInt64Array) {
    assert.deepEqual([lo, hi], [expected.min, expected.max], `${what}: min/max`);
  } else {
    assert.deepEqual([Number(lo), Number(hi)], [numberOrNaN(expected.min), numberOrNaN(expected.max)], what);
  }
}

/** Everything our reader says about a file against nibabel's dump of it. */
export function assertMatchesNibabel(raw: NiftiImage, scaled: NiftiImage, ref: NibabelDump): void {
  const what = ref.path;
  const h = raw.header;
  assert.equal(ref.error, undefined, `nibabel failed on ${what}: ${ref.error}`);
  assert.equal(h.version, ref.version, `${what}: version`);
  assert.equal(h.byteOrder, ref.endianness, `${what}: byte order`);
  assert.deepEqual(raw.shape, ref.shape, `${what}: shape`);
  assert.equal(raw.dtype, ref.dtype, `${what}: dtype`);
  assert.equal(h.dataOffset, ref.data_offset, `${what}: data offset`);
  assert.deepEqual(h.dim, ref.header.dim, `${what}: dim`);
  assert.deepEqual(h.pixdim, ref.header.pixdim, `${what}: pixdim`);
  assert.equal(h.datatype, ref.header.datatype, `${what}: datatype`);
  assert.equal(h.magic, ref.header.magic, `${what}: magic`);
  assert.deepEqual(
    [h.qformCode, h.sformCode],
    [ref.header.qform_code, ref.header.sform_code],
    `${what}: codes`,
  );
  assert.deepEqual([h.quaternB, h.quaternC, h.quaternD], ref.header.quatern, `${what}: quatern`);
  assert.deepEqual([h.qoffsetX, h.qoffsetY, h.qoffsetZ], ref.header.qoffset, `${what}: qoffset`);
  assert.deepEqual(h.srow, ref.header.srow, `${what}: srow`);
  assert.equal(h.xyztUnits, ref.header.xyzt_units, `${what}: xyzt_units`);
  assert.equal(h.intentCode, ref.header.intent_code, `${what}: intent_code`);
  assert.equal(h.intentName, ref.header.intent_name, `${what}: intent_name`);
  assert.deepEqual([h.intentP1, h.intentP2, h.intentP3], ref.header.intent_p, `${what}: intent_p`);
  assert.equal(h.descrip, ref.header.descrip, `${what}: descrip`);
  assert.equal(h.auxFile, ref.header.aux_file, `${what}: aux_file`);
  assert.deepEqual([h.calMin, h.calMax], ref.header.cal, `${what}: cal_min/max`);
  assert.deepEqual([h.sliceStart, h.sliceEnd, h.sliceCode], ref.header.slice, `${what}: slice fields`);
  assert.equal(h.sliceDuration, ref.header.slice_duration, `${what}: slice_duration`);
  assert.equal(h.toffset, ref.header.toffset, `${what}: toffset`);
  assert.equal(h.dimInfo, ref.header.dim_info, `${what}: dim_info`);
  assert.ok(
    Object.is(h.sclSlope, ref.header.scl_slope) || h.sclSlope === ref.header.scl_slope,
    `${what}: slope`,
  );
  assert.ok(
    Object.is(h.sclInter, ref.header.scl_inter) || h.sclInter === ref.header.scl_inter,
    `${what}: inter`,
  );
  assertExtensions(raw, ref);
  // nibabel computes the qform in extended precision, so allow the last bits to differ.
  assertAffineClose(raw.affine, ref.affine, 1e-12, what);
  assertStats(raw.data, ref.raw, `${what} (stored values)`);
  assertStats(scaled.data, ref.fdata64, `${what} (scaled float64)`);
}

function assertExtensions(img: NiftiImage, ref: NibabelDump): void {
  const ours = img.header.extensions;
  assert.deepEqual(
    ours.map((e) => e.code),
    ref.extensions.map((e) => e.code),
    `${ref.path}: extension codes`,
  );
  ours.forEach((ext, i) => {
    const expected = ref.extensions[i];
    if (expected.sha256 === undefined) return; // CIFTI: nibabel re-serialises the XML
    let end = ext.data.length;
    while (end > 0 && ext.data[end - 1] === 0) end--; // nibabel strips trailing NULs
    const content = ext.data.subarray(0, end);
    assert.equal(content.length, expected.length, `${ref.path}: extension ${i} length`);
    assert.equal(
      createHash("sha256").update(content).digest("hex"),
      expected.sha256,
      `${ref.path}: ext ${i}`,
    );
  });
}
