// The empty-mask conventions, and Dice and Hausdorff distances against the values in MONAI's own
// unit tests (tests/test_compute_meandice.py and tests/test_hausdorff_distance.py of
// Project-MONAI/MONAI): its inputs rebuilt here, its expected numbers copied as data.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildEvaluation,
  DICE_EMPTY_RULES,
  diceScore,
  directedSurfaceDistances,
  evaluateCase,
  percentileLinear,
  SURFACE_DISTANCE_EMPTY_RULES,
  surfaceDistanceMetrics,
} from "../../../src/training/metrics/index.js";

/** One-hot channels [c][row][col] of a 2x2 image (MONAI's layout) -> a label map of class indices. */
function fromOneHot(channels: number[][][]): Uint8Array {
  const out = new Uint8Array(4);
  for (let r = 0; r < 2; r++)
    for (let c = 0; c < 2; c++) out[r * 2 + c] = channels.findIndex((ch) => ch[r][c] === 1);
  return out;
}

test("Dice: MONAI TEST_CASE_1 (binary 2x2) is 0.8", () => {
  const pred = Uint8Array.from([1, 0, 0, 1]);
  const truth = Uint8Array.from([1, 0, 1, 1]);
  for (const rule of ["segviz", "ignore-empty", "include-empty"] as const)
    assert.ok(Math.abs(diceScore(pred, truth, 1, rule) - 0.8) < 1e-4, rule);
});

test("Dice: MONAI TEST_CASE_2 (3 classes, background left out) is [[0.5, 0], [0.6667, 0.6667]]", () => {
  const pred = [
    fromOneHot([
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 1],
      ],
      [
        [1, 0],
        [0, 0],
      ],
    ]),
    fromOneHot([
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 0],
      ],
      [
        [0, 1],
        [1, 0],
      ],
    ]),
  ];
  const truth = [
    fromOneHot([
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [1, 0],
      ],
      [
        [0, 1],
        [0, 0],
      ],
    ]),
    fromOneHot([
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 1],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 0],
      ],
    ]),
  ];
  const expected = [
    [0.5, 0],
    [0.6667, 0.6667],
  ];
  for (let b = 0; b < 2; b++)
    for (const organ of [1, 2])
      assert.ok(
        Math.abs(diceScore(pred[b], truth[b], organ, "ignore-empty") - expected[b][organ - 1]) < 1e-4,
      );
});

test("Dice: MONAI TEST_CASE_3's NaN pattern under ignore-empty, and what the SegViz rule does instead", () => {
  // Batch 0: truth all background; the prediction says class 2 everywhere.
  const pred0 = new Uint8Array(4).fill(2);
  const truth0 = new Uint8Array(4).fill(0);
  // Batch 1: truth has class 1 on the diagonal, no class 2; the prediction says class 2 everywhere.
  const truth1 = Uint8Array.from([1, 0, 0, 1]);
  assert.deepEqual(
    [1, 2].map((o) => Number.isNaN(diceScore(pred0, truth0, o, "ignore-empty"))),
    [true, true],
  );
  assert.deepEqual(
    [1, 2].map((o) => Number.isNaN(diceScore(pred0, truth1, o, "ignore-empty"))),
    [false, true],
  );
  // SegViz: class 1 empty in both -> NaN; class 2 predicted where the truth has none -> 0.
  assert.ok(Number.isNaN(diceScore(pred0, truth0, 1, "segviz")));
  assert.equal(diceScore(pred0, truth0, 2, "segviz"), 0);
});

test("Dice: MONAI TEST_CASE_11 and 12 (ignore_empty=False): both empty 1, only the prediction 0", () => {
  const empty = new Uint8Array(9);
  const full = new Uint8Array(9).fill(1);
  assert.equal(diceScore(empty, empty, 1, "include-empty"), 1);
  assert.equal(diceScore(full, empty, 1, "include-empty"), 0);
  assert.ok(Number.isNaN(diceScore(empty, empty, 1, "segviz")));
  assert.ok(Number.isNaN(diceScore(empty, empty, 1, "ignore-empty")));
});

/** MONAI's create_spherical_seg_3d: 1 where |index * spacing - centre| <= radius, axis 0 fastest here. */
function sphere(
  radius: number,
  centre: [number, number, number],
  spacing: [number, number, number] = [1, 1, 1],
) {
  const n = 99;
  const out = new Uint8Array(n * n * n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        const x = i * spacing[0] - centre[0];
        const y = j * spacing[1] - centre[1];
        const z = k * spacing[2] - centre[2];
        if (x * x + y * y + z * z <= radius * radius) out[i + n * (j + n * k)] = 1;
      }
  return out;
}
const SHAPE: [number, number, number] = [99, 99, 99];

function hausdorff(
  a: Uint8Array,
  b: Uint8Array,
  spacing: [number, number, number],
  percentile: number,
): number {
  const d = directedSurfaceDistances(a, b, SHAPE, spacing)!;
  return Math.max(percentileLinear(d.predToTruth, percentile), percentileLinear(d.truthToPred, percentile));
}

test("Hausdorff distance (symmetric, euclidean) matches MONAI's test values", () => {
  const one: [number, number, number] = [1, 1, 1];
  const spacing: [number, number, number] = [0.85, 1.2, 0.9];
  const cases: [string, number, number][] = [
    [
      "r20 at (20,20,20) vs (19,19,19), max",
      hausdorff(sphere(20, [20, 20, 20]), sphere(20, [19, 19, 19]), one, 100),
      1.7320508075688772,
    ],
    [
      "r20 vs r40 at (20,33,22), max",
      hausdorff(sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22]), one, 100),
      20.223748416156685,
    ],
    [
      "r20 vs r40 at (20,33,22), 95th percentile",
      hausdorff(sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22]), one, 95),
      20.09975124224178,
    ],
    [
      "r20 at (20,20,20) vs (19,19,19), spacing, max",
      hausdorff(sphere(20, [20, 20, 20], spacing), sphere(20, [19, 19, 19], spacing), spacing, 100),
      2.2671568,
    ],
    [
      "r15 vs r30 at (20,33,22), spacing, max",
      hausdorff(sphere(15, [20, 33, 22], spacing), sphere(30, [20, 33, 22], spacing), spacing, 100),
      15.62594,
    ],
  ];
  for (const [what, ours, monai] of cases)
    assert.ok(Math.abs(ours - monai) <= 1e-5 * monai, `${what}: ${ours} vs MONAI ${monai}`);
  // HD95 as surfaceDistanceMetrics reports it is the same symmetric 95th percentile.
  const hd95 = surfaceDistanceMetrics(sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22]), SHAPE, one).hd95Mm;
  assert.ok(Math.abs(hd95 - 20.09975124224178) < 1e-9, String(hd95));
});

test("distances with one mask empty: NaN by the SegViz rule, Infinity by MONAI's; both empty NaN in both", () => {
  const empty = new Uint8Array(99 * 99 * 99);
  const ball = sphere(40, [20, 33, 22]);
  const one: [number, number, number] = [1, 1, 1];
  for (const [pred, truth] of [
    [empty, ball],
    [ball, empty],
  ]) {
    assert.ok(Number.isNaN(surfaceDistanceMetrics(pred, truth, SHAPE, one, 1, "segviz").hd95Mm));
    const monai = surfaceDistanceMetrics(pred, truth, SHAPE, one, 1, "monai");
    assert.equal(monai.hd95Mm, Number.POSITIVE_INFINITY);
    assert.equal(monai.assdMm, Number.POSITIVE_INFINITY);
  }
  assert.ok(Number.isNaN(surfaceDistanceMetrics(empty, empty, SHAPE, one, 1, "monai").hd95Mm));
});

test("an evaluation records the rules it used, and Infinity survives into the summary", () => {
  const organs = [{ name: "liver", id: 1 }];
  const truth = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]);
  const prediction = new Uint8Array(8);
  const input = {
    caseId: "c",
    prediction,
    truth,
    shape: [2, 2, 2] as [number, number, number],
    spacing: [1, 1, 1] as [number, number, number],
  };
  const rules = { diceEmpty: "include-empty" as const, surfaceEmpty: "monai" as const };
  const rows = evaluateCase(input, organs, rules);
  const ev = buildEvaluation(rows, organs, rules);
  assert.equal(ev.rules.dice, DICE_EMPTY_RULES["include-empty"]);
  assert.equal(ev.rules.surfaceDistance, SURFACE_DISTANCE_EMPTY_RULES.monai);
  assert.equal(ev.summary[0].hd95Mm.mean, Number.POSITIVE_INFINITY);
  assert.equal(ev.summary[0].dice.mean, 0);
});
