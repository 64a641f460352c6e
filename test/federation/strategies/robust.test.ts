// Robust combination rules against hand computations, and the property they exist for: one scaled
// (x1000) or sign-flipped site among honest ones does not move the aggregate out of the range the
// honest sites span (median, trimmed mean), or out of the honest updates altogether (Krum).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStrategy } from "../../../src/federation/strategies/registry.js";
import {
  coordinateMedian,
  multiKrum,
  trimmedMean,
} from "../../../src/federation/strategies/robust-combine.js";
import type { SiteUpdate } from "../../../src/federation/strategies/strategy.js";
import type { WeightSet } from "../../../src/federation/weights/weight-set.js";

const set = (w: number[], b: number[] = [0]): WeightSet =>
  new Map([
    ["body.weight", { dtype: "float32", shape: [w.length], data: Float32Array.from(w) }],
    ["body.bias", { dtype: "float32", shape: [b.length], data: Float32Array.from(b) }],
  ]);
const update = (siteId: string, w: number[], b?: number[]): SiteUpdate => ({
  siteId,
  numExamples: 1,
  weights: set(w, b),
});
const values = (ws: WeightSet, name = "body.weight") => [...(ws.get(name)!.data as Float32Array)];

test("median and trimmed mean against hand computations, in any arrival order", () => {
  const global = set([0, 0, 0]);
  const ups = [
    update("d", [4, -1, 10]),
    update("a", [1, 2, 3]),
    update("c", [3, 0, 5]),
    update("b", [2, 8, -7]),
  ];
  // Per coordinate sorted: [1,2,3,4] [-1,0,2,8] [-7,3,5,10].
  assert.deepEqual(values(coordinateMedian(global, ups).weights), [2.5, 1, 4]);
  assert.deepEqual(values(trimmedMean(global, ups, 0.25).weights), [2.5, 1, 4]);
  assert.deepEqual(values(trimmedMean(global, ups, 0).weights), [2.5, 2.25, 2.75]);
  assert.deepEqual(values(coordinateMedian(global, [...ups].reverse()).weights), [2.5, 1, 4]);
  assert.deepEqual(values(coordinateMedian(global, ups.slice(0, 3)).weights), [3, 0, 5]);
  assert.throws(() => trimmedMean(global, ups.slice(0, 2), 0.5), /leaves none/);
});

test("Krum keeps the update closest to its neighbours; Multi-Krum averages the best ones", () => {
  const global = set([0, 0]);
  const ups = [
    update("a", [1, 1]),
    update("b", [1.2, 0.9]),
    update("c", [0.9, 1.1]),
    update("d", [1.1, 1.0]),
    update("x", [50, -50]),
  ];
  const krum = multiKrum(global, ups, 1, 1);
  // n - f - 2 = 2 nearest: a has d (0.01) and c (0.02); d has a (0.01), b (0.02): both 0.03, and
  // the tie goes to a (site order).
  assert.deepEqual(krum.selected, ["a"]);
  assert.deepEqual(values(krum.weights), [1, 1]);
  const multi = multiKrum(global, ups, 1, 3);
  assert.ok(!multi.selected.includes("x"));
  assert.equal(multi.selected.length, 3);
  assert.throws(() => multiKrum(global, ups.slice(0, 4), 1, 1), /4 updates cannot tolerate 1 bad ones/);
});

for (const attack of ["scaled x1000", "sign-flipped"] as const) {
  test(`one ${attack} site among four (five for Krum) does not move the aggregate outside the honest sites' range`, () => {
    const n = 64;
    const rng = (k: number, i: number) => Math.sin(12.9898 * (k + 1) + 78.233 * i) * 0.5;
    const honest = ["a", "b", "c", "d"].map((id, k) =>
      update(
        id,
        Array.from({ length: n }, (_, i) => 1 + rng(k, i)),
        [0.1 * k],
      ),
    );
    const bad = honest[0]!.weights.get("body.weight")!.data as Float32Array;
    const hostile = update(
      "x",
      Array.from(bad, (v) => (attack === "sign-flipped" ? -v : 1000 * v)),
      [attack === "sign-flipped" ? -0.1 : 1000],
    );
    const global = set(new Array(n).fill(0), [0]);
    const range = (i: number) => {
      const v = honest.map((u) => (u.weights.get("body.weight")!.data as Float32Array)[i]!);
      return [Math.min(...v), Math.max(...v)] as const;
    };
    const within = (ws: WeightSet, what: string) =>
      values(ws).forEach((v, i) => {
        const [lo, hi] = range(i);
        assert.ok(v >= lo - 1e-6 && v <= hi + 1e-6, `${what}: coordinate ${i} = ${v} outside [${lo}, ${hi}]`);
      });
    const four = [...honest.slice(1), hostile];
    within(coordinateMedian(global, four).weights, "median");
    within(trimmedMean(global, four, 0.25).weights, "trimmed mean");
    const krum = multiKrum(global, [...honest, hostile], 1, 2);
    assert.ok(!krum.selected.includes("x"), `Krum chose ${krum.selected}`);
    within(krum.weights, "multi-krum");
    // The plain mean is what they protect against: it leaves the honest range.
    const mean = createStrategy({ name: "fedavg" }).aggregate(1, global, four).weights;
    assert.ok(values(mean).some((v, i) => v < range(i)[0] - 1e-6 || v > range(i)[1] + 1e-6));
  });
}

test("the robust strategies are selectable by name and keep heads local with headLocal", () => {
  for (const name of ["fedmedian", "fedtrimmedavg", "krum"] as const) {
    const s = createStrategy({ name, headLocal: true });
    assert.equal(s.name, name);
    assert.equal(s.sharing.shares("heads.liver.conv.weight"), false);
    assert.equal(s.sharing.shares("model.0.conv.weight"), true);
  }
  assert.throws(
    () => createStrategy({ name: "fedtrimmedavg", trimFraction: 0.5 }),
    /trimFraction must be in/,
  );
});
