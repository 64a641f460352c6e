// The streaming mean against the exactly rounded mean (Python's math.fsum) and against itself in
// every arrival order: the coordinator folds updates in as they come, and the result must not
// depend on which site finished first.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runReference } from "../../../bench/reference-python.js";
import { RelativeNormScreen } from "../../../src/federation/security/relative-norm-screen.js";
import { createStrategy } from "../../../src/federation/strategies/registry.js";
import { RunningMean } from "../../../src/federation/strategies/running-mean.js";
import { tensorsEqual, type WeightSet } from "../../../src/federation/weights/weight-set.js";
import { mulberry32 } from "../../../src/util/mulberry32.js";

const N = 40_000;
const SITES = 6;

/** Float32 values whose magnitudes span 1e-12..1e3 per element, the hard case for summation order. */
function update(seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: N }, (_, i) => {
    const scale = 10 ** (-12 + ((i * 7 + seed * 3) % 16));
    return (random() - 0.5) * scale;
  });
}

const updates = Array.from({ length: SITES }, (_, k) => update(k + 1));
const cases = [3, 1, 7, 2, 5, 11];
const setOf = (v: Float32Array): WeightSet =>
  new Map([["w", { dtype: "float32", shape: [v.length], data: v }]]);
const global = setOf(new Float32Array(N));

function shuffled(seed: number): number[] {
  const order = [...Array(SITES).keys()];
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function streamed(order: number[], weighting: "uniform" | "cases"): Float32Array {
  const running = new RunningMean(global, ["w"], weighting);
  for (const k of order) running.add(setOf(updates[k]), cases[k]);
  return running.mean().get("w")!.data as Float32Array;
}

function fsumReference(weights: number[]): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), "segviz-fsum-"));
  try {
    const input = join(dir, "in.f32");
    const output = join(dir, "out.f32");
    const all = new Float32Array(SITES * N);
    for (const [k, u] of updates.entries()) all.set(u, k * N);
    writeFileSync(input, new Uint8Array(all.buffer));
    runReference("fsum_mean.py", [input, weights.join(","), output]);
    const bytes = readFileSync(output);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const weighting of ["uniform", "cases"] as const) {
  test(`running mean (${weighting}): the exactly rounded mean, in any arrival order`, () => {
    const expected = fsumReference(weighting === "cases" ? cases : cases.map(() => 1));
    for (let seed = 1; seed <= 8; seed++) {
      const got = streamed(shuffled(seed), weighting);
      const differing = got.findIndex((v, i) => !Object.is(v, expected[i]));
      assert.equal(
        differing,
        -1,
        `order ${shuffled(seed)}: element ${differing} ${got[differing]} vs ${expected[differing]}`,
      );
    }
  });
}

test("an element whose float64 sum depends on the order: the running mean rounds it exactly every time", () => {
  // Eight sites: 2^40 - 2^40 cancels, leaving 1 + 2^-24 + 2^-50; the mean 2^-3 + 2^-27 + 2^-53
  // lies just above the midpoint between two float32s, so it rounds up to 2^-3 + 2^-26. A float64
  // sum that meets 2^40 before the small terms drops them and rounds down to 2^-3.
  const values = [2 ** 40, -(2 ** 40), 1, 2 ** -24, 2 ** -50, 0, 0, 0];
  const exact = 2 ** -3 + 2 ** -26;
  const g: WeightSet = new Map([["w", { dtype: "float32", shape: [1], data: new Float32Array(1) }]]);
  const plain = (order: number[]) => Math.fround(order.reduce((s, k) => s + values[k], 0) / values.length);
  assert.equal(plain([2, 3, 4, 0, 1, 5, 6, 7]), 2 ** -3, "big terms last: the small ones are lost");
  assert.equal(
    plain([0, 1, 2, 3, 4, 5, 6, 7]),
    exact,
    "big terms first: they cancel before the small ones come",
  );
  const random = mulberry32(5);
  for (let trial = 0; trial < 200; trial++) {
    const order = [...values.keys()].sort(() => random() - 0.5);
    const running = new RunningMean(g, ["w"], "uniform");
    for (const k of order) running.add(setOf(Float32Array.of(values[k])), 1);
    assert.equal((running.mean().get("w")!.data as Float32Array)[0], exact, `order ${order}`);
  }
});

test("FedAvg's aggregate and the coordinator's streaming fold give the same bits", () => {
  for (const weighting of ["uniform", "cases"] as const) {
    const strategy = createStrategy({ name: "fedavg", weighting });
    const siteUpdates = updates.map((u, k) => ({
      siteId: `site-${k}`,
      numExamples: cases[k],
      weights: setOf(u),
    }));
    const whole = strategy.aggregate(1, global, siteUpdates).weights.get("w")!;
    const running = strategy.startMean!(global);
    for (const k of shuffled(99)) running.add(siteUpdates[k].weights, cases[k]);
    const folded = strategy.fromMean!(1, global, running.mean()).weights.get("w")!;
    assert.ok(tensorsEqual(whole, folded), weighting);
  }
});

test("running mean: reserving the sums ahead changes no bit of the mean", () => {
  const ahead = new RunningMean(global, ["w"], "cases");
  ahead.reserve();
  ahead.reserve();
  const lazy = new RunningMean(global, ["w"], "cases");
  for (let k = 0; k < SITES; k++) {
    ahead.add(setOf(updates[k]), cases[k]);
    lazy.add(setOf(updates[k]), cases[k]);
  }
  assert.ok(tensorsEqual(ahead.mean().get("w")!, lazy.mean().get("w")!));
  assert.throws(() => new RunningMean(global, ["w"], "uniform").mean(), /no update was folded in/);
});

test("running mean: names an update lacks are left out; bad weights are refused before anything is added", () => {
  const two: WeightSet = new Map([
    ["a", { dtype: "float32", shape: [2], data: new Float32Array([0, 0]) }],
    ["b", { dtype: "float32", shape: [1], data: new Float32Array([0]) }],
  ]);
  const running = new RunningMean(two, ["a", "b"], "cases");
  running.add(new Map([["a", { dtype: "float32", shape: [2], data: new Float32Array([1, 2]) }]]), 1);
  running.add(two, 3);
  assert.deepEqual(running.names(), ["a"]);
  assert.deepEqual([...(running.mean().get("a")!.data as Float32Array)], [0.25, 0.5]);
  assert.throws(() => running.add(two, 2 ** 40), /integer in \[0, 2\^29\)/);
  // A tensor of the wrong length is refused before any name is added, even names listed before it.
  const wrong: WeightSet = new Map([
    ["a", { dtype: "float32", shape: [2], data: new Float32Array([100, 100]) }],
    ["b", { dtype: "float32", shape: [2], data: new Float32Array([1, 1]) }],
  ]);
  assert.throws(() => running.add(wrong, 1), /"b" has 2 elements, expected 1/);
  assert.equal(running.count, 2);
  assert.deepEqual([...(running.mean().get("a")!.data as Float32Array)], [0.25, 0.5]);
  const none = new RunningMean(two, ["a"], "cases");
  none.add(two, 0);
  assert.throws(() => none.mean(), /weigh 0 in total/);
});

test("relative norm screen: a norm is let through once no announcement to come can make it an outlier", () => {
  const screen = new RelativeNormScreen(10, ["a", "b", "c", "d"]);
  screen.announce("a", 1);
  // Three sites still out could all announce 0: the lowest median is 0.
  assert.equal(screen.decide(1).kind, "wait");
  screen.announce("b", 1.2);
  screen.announce("c", 0.9);
  // {0.9, 1, 1.2, 0}: the lowest median is 0.95, so anything up to 9.5 is safe now.
  assert.equal(screen.decide(1.2).kind, "accept");
  assert.equal(screen.decide(50).kind, "wait");
  screen.absent("d");
  // All in: the median of {0.9, 1, 1.2} is 1.
  assert.equal(screen.decide(9.99).kind, "accept");
  const verdict = screen.decide(50);
  assert.equal(verdict.kind, "reject");
  assert.match((verdict as { reason: string }).reason, /exceeds 10 x the round's median update norm 1\.000/);
  const two = new RelativeNormScreen(10, ["a", "b"]);
  assert.equal(two.decide(1e9).kind, "accept", "fewer than 3 norms: nothing is an outlier");
});
