// orientationCodes against nibabel's aff2axcodes on many affines: axis permutations and flips,
// rotations up to large angles, anisotropic zooms, shear, and degenerate (zero-column) affines.

import assert from "node:assert/strict";
import { test } from "node:test";
import { orientationCodes } from "../../../src/data/nifti/index.js";
import type { Affine } from "../../../src/data/volume.js";
import { mulberry32 } from "../../../src/util/mulberry32.js";
import { nibabelAxcodes } from "./nibabel-reference.js";

const rng = mulberry32;

function rotation(ax: number, ay: number, az: number): number[][] {
  const [cx, sx, cy, sy, cz, sz] = [
    Math.cos(ax),
    Math.sin(ax),
    Math.cos(ay),
    Math.sin(ay),
    Math.cos(az),
    Math.sin(az),
  ];
  return [
    [cy * cz, cz * sx * sy - cx * sz, cx * cz * sy + sx * sz],
    [cy * sz, cx * cz + sx * sy * sz, cx * sy * sz - cz * sx],
    [-sy, cy * sx, cx * cy],
  ];
}

const PERMUTATIONS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

function randomAffines(count: number): Affine[] {
  const rand = rng(7);
  const out: Affine[] = [];
  for (let n = 0; n < count; n++) {
    const perm = PERMUTATIONS[Math.floor(rand() * 6)];
    const maxAngle = n % 3 === 0 ? 0.1 : n % 3 === 1 ? 0.6 : Math.PI;
    const r = rotation((rand() - 0.5) * maxAngle, (rand() - 0.5) * maxAngle, (rand() - 0.5) * maxAngle);
    const m: number[][] = [0, 1, 2].map((i) =>
      [0, 1, 2].map((j) => {
        const sign = (n >> j) & 1 ? -1 : 1;
        const zoom = 0.5 + rand() * 3.5;
        return r[i][perm[j]] * sign * zoom;
      }),
    );
    if (n % 5 === 0) m[0][1] += (rand() - 0.5) * 0.8; // shear
    if (n % 17 === 0) for (let i = 0; i < 3; i++) m[i][n % 3] = 0; // a dropped axis
    out.push([...m.map((row, i) => [...row, (rand() - 0.5) * 200 + i]), [0, 0, 0, 1]]);
  }
  return out;
}

const diag = (x: number, y: number, z: number): Affine => [
  [x, 0, 0, 0],
  [0, y, 0, 0],
  [0, 0, z, 0],
  [0, 0, 0, 1],
];
const NAMED: [Affine, string][] = [
  [diag(1, 1, 1), "RAS"],
  [diag(-1, -1, 1), "LPS"],
  [diag(-2, 2, 2.2), "LAS"],
  [
    [
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 1],
    ],
    "ASR",
  ],
];
const RANDOM = randomAffines(400);
// One Python process for all of them.
const nibabelCodes = nibabelAxcodes([...RANDOM, ...NAMED.map((c) => c[0])]);

test("matches nibabel's aff2axcodes on 400 affines", () => {
  const expected = nibabelCodes.slice(0, RANDOM.length);
  const mismatches = RANDOM.map((a, i) => ({ i, ours: orientationCodes(a), theirs: expected[i] })).filter(
    (r) => r.ours !== r.theirs,
  );
  assert.deepEqual(mismatches, []);
  assert.ok(
    expected.some((c) => c.includes("?")),
    "some affines drop an axis",
  );
});

test("named orientations", () => {
  NAMED.forEach(([affine, code], i) => {
    assert.equal(nibabelCodes[RANDOM.length + i], code, "nibabel agrees with the named code");
    assert.equal(orientationCodes(affine), code);
  });
});
