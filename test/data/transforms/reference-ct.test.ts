// The real CT through our preprocessing against the Python reference (nibabel + torch, MONAI's
// documented steps) on the same file: shape, affine, crop and values at probe voxels; and the
// reference segmentation resampled with nearest neighbour.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { preprocessCase, SEGVIZ_PREPROCESS } from "../../../src/data/pipeline/index.js";
import type { Volume } from "../../../src/data/volume.js";
import { TOTALSEG_EXAMPLE } from "../../fixtures/index.js";

const DATA = TOTALSEG_EXAMPLE.dir;
const PYTHON = process.env.SEGVIZ_PYTHON ?? "/usr/bin/python3";
const SCRIPT = join(process.cwd(), "reference", "monai_style_preprocess.py");
const PROBES = [
  [0, 0, 0],
  [120, 90, 80],
  [60, 150, 20],
  [200, 40, 150],
  [121, 100, 43],
  [33, 77, 111],
];

interface Reference {
  shape: number[];
  affine: number[][];
  crop_start: number[];
  probes: number[];
  label?: { shape: number[]; affine: number[][]; values: number[]; probes: number[] };
}

const SMALL_PROBES = [
  [0, 0, 0],
  [120, 90, 40],
  [60, 150, 20],
  [200, 40, 30],
  [121, 100, 43],
  [33, 77, 11],
];

function reference(args: string[], probes: number[][]): Reference {
  const r = spawnSync(
    PYTHON,
    [SCRIPT, ...args, "--threads", "1", "--probe", ...probes.map((p) => p.join(","))],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`reference failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

function valueAt(v: Volume, p: number[]): number {
  return Number(v.data[p[0] + v.shape[0] * (p[1] + v.shape[1] * p[2])]);
}

function assertAffineClose(a: number[][], b: number[][], what: string): void {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(a[r][c] - b[r][c]) < 1e-6, `${what} [${r}][${c}]: ${a[r][c]} vs ${b[r][c]}`);
    }
  }
}

const skip = !existsSync(PYTHON) ? "Debian python3 missing" : false;

test("real CT: shape, affine, crop and values match the reference", { skip }, async () => {
  const ref = reference([join(DATA, "ct.nii.gz")], PROBES);
  const ours = await preprocessCase({ image: join(DATA, "ct.nii.gz") }, SEGVIZ_PREPROCESS);
  assert.deepEqual(ours.image.shape, ref.shape);
  assertAffineClose(ours.image.affine, ref.affine, "affine");
  PROBES.forEach((p, n) => {
    if (p.some((x, a) => x >= ref.shape[a])) return;
    const got = valueAt(ours.image, p);
    assert.ok(Math.abs(got - ref.probes[n]) < 2e-5, `voxel ${p}: ${got} vs ${ref.probes[n]}`);
  });
});

test(
  "real CT segmentation: nearest resampling keeps the label set and agrees with the reference",
  { skip },
  async () => {
    const settings = { ...SEGVIZ_PREPROCESS, cropForeground: null };
    const ref = reference(
      [join(DATA, "ct_small.nii.gz"), "--label", join(DATA, "seg_small.nii.gz"), "--no-crop"],
      SMALL_PROBES,
    );
    const ours = await preprocessCase(
      { image: join(DATA, "ct_small.nii.gz"), label: join(DATA, "seg_small.nii.gz") },
      settings,
    );
    assert.deepEqual(ours.label.shape, ref.label!.shape);
    assertAffineClose(ours.label.affine, ref.label!.affine, "label affine");
    const values = new Set(Array.from(ours.label.data as Uint8Array));
    const refValues = new Set(ref.label!.values);
    for (const v of values) assert.ok(refValues.has(v), `label ${v} not in the reference's set`);
    // Ties (output voxels exactly between two input voxels) may round either way in float64 grid
    // sampling, so label probes are only checked to hold reference labels; image probes must match.
    SMALL_PROBES.forEach((p, n) => {
      const got = valueAt(ours.image, p);
      assert.ok(Math.abs(got - ref.probes[n]) < 2e-5, `image voxel ${p}: ${got} vs ${ref.probes[n]}`);
      assert.ok(refValues.has(valueAt(ours.label, p)));
    });
  },
);
