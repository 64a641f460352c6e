// The Wilcoxon signed-rank test and the normal tail against scipy (reference/scipy_stats.py, run
// once with Debian's python3): small and large samples, ties, zeros, huge effects, options.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runReference } from "../../../bench/reference-python.js";
import {
  normalSurvival,
  type WilcoxonOptions,
  wilcoxonSignedRank,
} from "../../../src/experiments/statistics/index.js";
import { seededRandom } from "../../training/metrics/volumes.js";

const RTOL = 1e-11;

interface Case {
  id: string;
  x: number[];
  y: number[];
  options?: WilcoxonOptions;
}

/** n paired scores like Dice of two arms: y in 0.5..0.9, x = y + shift + noise. */
function pairs(seed: number, n: number, shift: number): { x: number[]; y: number[] } {
  const random = seededRandom(seed);
  const y = Array.from({ length: n }, () => 0.5 + 0.4 * random());
  const x = y.map((v) => v + shift + 0.1 * (random() - 0.5));
  return { x, y };
}

/**
 * n pairs on a grid of 1/64 (exact in binary, so equal differences really tie): differences of
 * -3..4 steps, without 0 unless `zeros`.
 */
function tiedPairs(seed: number, n: number, zeros: boolean): { x: number[]; y: number[] } {
  const random = seededRandom(seed);
  const steps = zeros ? [-3, -2, -1, 0, 1, 2, 3, 4] : [-3, -2, -1, 1, 2, 3, 4];
  const y = Array.from({ length: n }, () => Math.floor(32 + 24 * random()) / 64);
  const x = y.map((v) => v + steps[Math.floor(random() * steps.length)] / 64);
  return { x, y };
}

const cases: Case[] = [
  { id: "n=5 exact", ...pairs(1, 5, 0.02) },
  { id: "n=8 exact", ...pairs(2, 8, 0.03) },
  { id: "n=10 exact, no effect", ...pairs(3, 10, 0) },
  { id: "n=20 exact", ...pairs(4, 20, 0.02) },
  { id: "n=30 exact (the study's BTCV size)", ...pairs(5, 30, 0.01) },
  { id: "n=50 exact, largest auto exact", ...pairs(6, 50, 0.01) },
  { id: "n=12 ties, exact with truncated R+", ...tiedPairs(7, 12, false) },
  { id: "n=30 ties, exact with truncated R+", ...tiedPairs(8, 30, false) },
  { id: "n=25 ties and zeros", ...tiedPairs(17, 25, true) },
  {
    id: "n=9 with zeros -> normal approximation",
    x: [0.71, 0.68, 0.78, 0.77, 0.72, 0.93, 0.5, 0.62, 0.79],
    y: [0.71, 0.65, 0.8, 0.77, 0.69, 0.9, 0.55, 0.62, 0.74],
  },
  { id: "n=51 normal approximation", ...pairs(10, 51, 0.01) },
  { id: "n=80 ties", ...tiedPairs(11, 80, false) },
  { id: "n=200 ties and zeros", ...tiedPairs(12, 200, true) },
  { id: "n=1000 large effect, far tail", ...pairs(13, 1000, 0.2) },
  { id: "all positive n=6", x: [2, 3, 4, 5, 6, 7], y: [1, 1, 1, 1, 1, 1] },
  { id: "n=1", x: [0.8], y: [0.7] },
  { id: "n=2", x: [0.8, 0.5], y: [0.7, 0.6] },
  { id: "one non-zero among zeros", x: [1, 1, 1, 2], y: [1, 1, 1, 1] },
  { id: "correction=True", ...pairs(14, 60, 0.01), options: { correction: true } },
  { id: "method=approx, n=10", ...pairs(15, 10, 0.02), options: { method: "approx" } },
  { id: "method=exact, n=70", ...pairs(16, 70, 0.01), options: { method: "exact" } },
  {
    id: "method=exact with zeros",
    x: [1, 2, 3, 4, 5, 6, 7],
    y: [1, 1, 1, 1, 1, 1, 1.5],
    options: { method: "exact" },
  },
];

const zs = [
  0, 1e-8, 0.1, 0.5, 1, 1.4, 1.959963984540054, 2, 2.01, 2.5, 2.83, 3, 4, 5, 8, 10, 15, 20, 30, 37, 38.5,
  -0.3, -1, -3, -9,
];

const dir = mkdtempSync(join(tmpdir(), "segviz-stats-ref-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function reference(): Record<string, Record<string, unknown>> {
  const kwargs = (o: WilcoxonOptions = {}) => ({
    ...(o.method ? { method: o.method } : {}),
    ...(o.correction ? { correction: true } : {}),
  });
  const file = join(dir, "cases.json");
  writeFileSync(
    file,
    JSON.stringify([
      ...cases.map((c) => ({ id: c.id, kind: "wilcoxon", x: c.x, y: c.y, kwargs: kwargs(c.options) })),
      { id: "all zero", kind: "wilcoxon", x: [1, 2, 3], y: [1, 2, 3] },
      { id: "normal sf", kind: "normal_sf", z: zs },
    ]),
  );
  return JSON.parse(runReference("scipy_stats.py", [file]));
}

function assertClose(actual: number, expected: number, what: string, rtol = RTOL): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(
    actual === expected || err <= rtol,
    `${what}: ${actual} vs scipy ${expected} (relative ${err.toExponential(2)})`,
  );
}

describe("against scipy.stats (reference/scipy_stats.py)", () => {
  const ref = reference();

  test("the installed scipy is the version the defaults were matched to", () => {
    assert.equal((ref.__version__ as { scipy: string }).scipy, "1.10.1");
  });

  for (const c of cases) {
    test(`wilcoxon ${c.id}`, () => {
      const r = ref[c.id];
      assert.equal(r.error, undefined, `scipy refused: ${r.error}`);
      const ours = wilcoxonSignedRank(c.x, c.y, c.options);
      assert.equal(ours.statistic, Number(r.statistic), "statistic");
      assertClose(ours.pValue, Number(r.pvalue), "p-value");
    });
  }

  test("the cases cover both distributions and tiny p-values", () => {
    const methods = new Set(cases.map((c) => wilcoxonSignedRank(c.x, c.y, c.options).method));
    assert.deepEqual([...methods].sort(), ["approx", "exact"]);
    assert.ok(Number(ref["n=1000 large effect, far tail"].pvalue) < 1e-100);
    const tiedExact = cases
      .filter((c) => c.id.includes("truncated R+"))
      .map((c) => wilcoxonSignedRank(c.x, c.y));
    assert.ok(
      tiedExact.some((r) => r.method === "exact" && r.statistic % 1 !== 0),
      "a tied exact case has a fractional rank sum",
    );
    const withZeros = cases.filter((c) => c.id.includes("zeros"));
    assert.ok(
      withZeros.every((c) => wilcoxonSignedRank(c.x, c.y).nZero > 0),
      "the zeros cases have zero differences",
    );
  });

  test("all differences zero: scipy refuses, we answer NaN with method none", () => {
    assert.match(String(ref["all zero"].error), /zero/);
    const ours = wilcoxonSignedRank([1, 2, 3], [1, 2, 3]);
    assert.equal(ours.method, "none");
    assert.ok(Number.isNaN(ours.pValue));
    assert.equal(ours.nZero, 3);
  });

  test("normal survival function", () => {
    const expected = (ref["normal sf"].values as string[]).map(Number);
    for (const [i, z] of zs.entries()) assertClose(normalSurvival(z), expected[i], `sf(${z})`, 1e-13);
  });
});
