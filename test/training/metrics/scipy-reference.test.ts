// Dice, HD95, ASSD, the distance transform and percentiles against an independent reference:
// reference/scipy_metrics.py (scipy.ndimage binary_erosion and distance_transform_edt with
// sampling=spacing, numpy.percentile), on seeded random blobs with anisotropic spacing. Every case
// goes to Python in one call.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runReference } from "../../../bench/reference-python.js";
import {
  diceScore,
  percentileLinear,
  squaredDistanceToFeatures,
  surfaceDistanceMetrics,
} from "../../../src/training/metrics/index.js";
import { paintBlob, randomEllipsoids, type Shape, seededRandom } from "./volumes.js";

const RTOL = 1e-12;

interface MetricsCase {
  id: string;
  pred: Uint8Array;
  truth: Uint8Array;
  shape: Shape;
  spacing: Shape;
  organ: number;
}

function blobCase(
  id: string,
  seed: number,
  shape: Shape,
  spacing: Shape,
  organs: number[],
  emptyPred = false,
): MetricsCase {
  const random = seededRandom(seed);
  const voxels = shape[0] * shape[1] * shape[2];
  const pred = new Uint8Array(voxels);
  const truth = new Uint8Array(voxels);
  for (const organ of organs) {
    const blobs = randomEllipsoids(random, shape, 1 + Math.floor(random() * 3));
    paintBlob(truth, shape, blobs, organ, random);
    // the prediction: the same blobs moved by up to 2 voxels, with its own noise
    const offset: [number, number, number] = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2];
    if (!emptyPred) paintBlob(pred, shape, blobs, organ, random, offset);
  }
  return { id, pred, truth, shape, spacing, organ: organs[0] };
}

const metricsCases: MetricsCase[] = [
  blobCase("small anisotropic", 1, [17, 13, 9], [0.8, 1.2, 3.0], [1]),
  blobCase("two organs, score organ 2", 2, [24, 20, 16], [1.5, 1.5, 2.0], [2, 5]),
  blobCase("two organs, score organ 5", 2, [24, 20, 16], [1.5, 1.5, 2.0], [5, 2]),
  blobCase("thin slices", 3, [40, 36, 8], [0.7, 0.7, 5.0], [1]),
  blobCase("larger volume", 4, [64, 56, 40], [0.9, 1.1, 2.5], [1, 3]),
  blobCase("isotropic", 5, [30, 30, 30], [1, 1, 1], [1]),
  blobCase("one slice thick axis", 6, [20, 25, 3], [2.0, 0.6, 1.3], [1]),
  blobCase("empty prediction", 7, [12, 12, 12], [1, 1, 1], [1], true),
];
{
  // single voxels and a false positive against an empty truth
  const shape: Shape = [6, 7, 8];
  const one = new Uint8Array(336);
  one[3 + 6 * (2 + 7 * 5)] = 1;
  const other = new Uint8Array(336);
  other[0] = 1;
  metricsCases.push({
    id: "single voxels",
    pred: one,
    truth: other,
    shape,
    spacing: [1.1, 2.2, 0.4],
    organ: 1,
  });
  metricsCases.push({
    id: "false positive",
    pred: one,
    truth: new Uint8Array(336),
    shape,
    spacing: [1, 1, 1],
    organ: 1,
  });
}

const edtCases = [0.003, 0.05, 0.4].map((density, n) => {
  const random = seededRandom(100 + n);
  const shape: Shape = [19, 15, 11];
  const features = Uint8Array.from({ length: 19 * 15 * 11 }, () => (random() < density ? 1 : 0));
  return { id: `edt ${density}`, features, shape, spacing: [0.6, 1.7, 2.9] as Shape };
});

const percentileCases = [
  { id: "p95 of 37", values: Array.from({ length: 37 }, (_, i) => Math.sin(i) * 10), q: 95 },
  { id: "p95 of 2", values: [3, 1], q: 95 },
  { id: "p12.5 of 9", values: [5, 1, 4, 1, 5, 9, 2, 6, 5], q: 12.5 },
  { id: "p50 of 1000", values: Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 7), q: 50 },
];

const b64 = (a: Uint8Array) => Buffer.from(a).toString("base64");
const dir = mkdtempSync(join(tmpdir(), "segviz-metrics-ref-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function reference(): Record<string, Record<string, unknown>> {
  const cases = [
    ...metricsCases.map((c) => ({ ...c, kind: "metrics", pred: b64(c.pred), truth: b64(c.truth) })),
    ...edtCases.map((c) => ({ ...c, kind: "edt", features: b64(c.features) })),
    ...percentileCases.map((c) => ({ ...c, kind: "percentile" })),
  ];
  const file = join(dir, "cases.json");
  writeFileSync(file, JSON.stringify(cases));
  return JSON.parse(runReference("scipy_metrics.py", [file]));
}

function num(x: unknown): number {
  return typeof x === "string" ? Number(x.replace("inf", "Infinity").replace("nan", "NaN")) : (x as number);
}

function assertClose(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected) || expected === Number.POSITIVE_INFINITY) {
    assert.ok(Object.is(actual, expected), `${what}: ${actual}, expected ${expected}`);
    return;
  }
  const err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  assert.ok(err <= RTOL, `${what}: ${actual} vs scipy ${expected} (relative ${err.toExponential(2)})`);
}

describe("metrics against scipy.ndimage / numpy (reference/scipy_metrics.py)", () => {
  const ref = reference();

  for (const c of metricsCases) {
    test(`${c.id}: Dice, HD95, ASSD`, () => {
      const r = ref[c.id];
      const ours = surfaceDistanceMetrics(c.pred, c.truth, c.shape, c.spacing, c.organ);
      assertClose(diceScore(c.pred, c.truth, c.organ), num(r.dice), "dice");
      assertClose(ours.hd95Mm, num(r.hd95), "hd95");
      assertClose(ours.assdMm, num(r.assd), "assd");
    });
  }

  test("the blob cases are not degenerate", () => {
    const hd = metricsCases.slice(0, 7).map((c) => num(ref[c.id].hd95));
    assert.ok(
      hd.every((x) => x > 0 && Number.isFinite(x)),
      `hd95: ${hd}`,
    );
    assert.ok(num(ref["larger volume"].n_pred_surface) > 1000);
  });

  for (const c of edtCases) {
    test(`${c.id}: squared distance transform`, () => {
      const expected = (ref[c.id].squared as unknown[]).map(num);
      const ours = squaredDistanceToFeatures(c.features, c.shape, c.spacing);
      assert.equal(ours.length, expected.length);
      for (const [v, d] of ours.entries()) assertClose(d, expected[v], `voxel ${v}`);
    });
  }

  for (const c of percentileCases) {
    test(`${c.id}: numpy.percentile`, () =>
      assertClose(percentileLinear(c.values, c.q), num(ref[c.id].value), c.id));
  }
});
