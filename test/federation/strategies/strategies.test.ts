// Hand-computed rounds: for each strategy, exactly which tensors were averaged, kept at the
// site, or moved by the server optimiser, checked by comparing tensors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeGlobal } from "../../../src/federation/site/merge-weights.js";
import type { StrategyConfig } from "../../../src/federation/strategies/config.js";
import { createStrategy } from "../../../src/federation/strategies/registry.js";
import type { Strategy } from "../../../src/federation/strategies/strategy.js";
import type { WeightSet } from "../../../src/federation/weights/weight-set.js";
import type { NamedTensorData } from "../../../src/nn/safetensors/index.js";

const f32 = (...v: number[]): NamedTensorData => ({
  dtype: "float32",
  shape: [v.length],
  data: Float32Array.from(v),
});
const i64 = (v: bigint): NamedTensorData => ({ dtype: "int64", shape: [], data: BigInt64Array.from([v]) });
const values = (t: NamedTensorData | undefined) => [...(t!.data as Float32Array)].map(Number);

const BODY = "model.0.conv.unit0.conv.weight";
const BN_W = "model.0.conv.unit0.adn.N.weight";
const BN_MEAN = "model.0.conv.unit0.adn.N.running_mean";
const BN_COUNT = "model.0.conv.unit0.adn.N.num_batches_tracked";
const HEAD = "model.2.0.conv.weight";

function site(body: number[], bn: number[], mean: number[], count: bigint, head: number[]): WeightSet {
  return new Map([
    [BODY, f32(...body)],
    [BN_W, f32(...bn)],
    [BN_MEAN, f32(...mean)],
    [BN_COUNT, i64(count)],
    [HEAD, f32(...head)],
  ]);
}

const siteA = site([1, 2], [1, 1], [0, 0], 10n, [5, 5]);
const siteB = site([3, 6], [3, 5], [2, 4], 20n, [7, 9]);
const start = site([0, 0], [0, 0], [0, 0], 0n, [0, 0]);

/** One round as the federation runs it: the global holds what is shared, sites upload theirs. */
function round(
  strategy: Strategy,
  sites: { id: string; cases: number; weights: WeightSet }[],
  global?: WeightSet,
) {
  const g = global ?? strategy.sharing.shared(start);
  const updates = sites.map((s) => ({
    siteId: s.id,
    numExamples: s.cases,
    weights: new Map([...strategy.sharing.shared(s.weights)].filter(([n]) => g.has(n))),
  }));
  const result = strategy.aggregate(1, g, updates);
  const after = sites.map((s) => mergeGlobal(s.weights, result.weights, strategy.sharing));
  return { global: g, result, after };
}

const make = (config: Partial<StrategyConfig> & Pick<StrategyConfig, "name">) => createStrategy(config);
const twoSites = [
  { id: "a", cases: 1, weights: siteA },
  { id: "b", cases: 3, weights: siteB },
];

describe("FedAvg", () => {
  test("uniform: every tensor, head and BatchNorm included, is the plain mean", () => {
    const { result, after } = round(make({ name: "fedavg" }), twoSites);
    assert.deepEqual(result.aggregated, [BN_COUNT, BN_MEAN, BN_W, BODY, HEAD].sort());
    assert.deepEqual(values(result.weights.get(BODY)), [2, 4]);
    assert.deepEqual(values(result.weights.get(BN_W)), [2, 3]);
    assert.deepEqual(values(result.weights.get(BN_MEAN)), [1, 2]);
    assert.deepEqual(values(result.weights.get(HEAD)), [6, 7]);
    assert.equal(result.weights.get(BN_COUNT)!.data[0], 15n);
    for (const w of after) assert.deepEqual(values(w.get(BODY)), [2, 4], "both sites hold the average");
  });

  test("weighted by training cases (1 and 3)", () => {
    const { result } = round(make({ name: "fedavg", weighting: "cases" }), twoSites);
    assert.deepEqual(values(result.weights.get(BODY)), [0.25 * 1 + 0.75 * 3, 0.25 * 2 + 0.75 * 6]);
    assert.deepEqual(values(result.weights.get(HEAD)), [0.25 * 5 + 0.75 * 7, 0.25 * 5 + 0.75 * 9]);
  });

  test("arrival order does not change a single bit", () => {
    const s = make({ name: "fedavg", weighting: "cases" });
    const thirds = [
      { id: "a", cases: 1, weights: site([0.1, 0.7], [1, 1], [0, 0], 1n, [1, 1]) },
      { id: "b", cases: 1, weights: site([0.2, 0.3], [1, 1], [0, 0], 1n, [1, 1]) },
      { id: "c", cases: 1, weights: site([0.3, 1e-8], [1, 1], [0, 0], 1n, [1, 1]) },
    ];
    const x = round(s, thirds).result.weights.get(BODY)!;
    const y = round(s, [...thirds].reverse()).result.weights.get(BODY)!;
    assert.deepEqual(x.data, y.data);
  });
});

describe("FedBN", () => {
  test("BatchNorm weight, bias and running statistics never leave the site", () => {
    const s = make({ name: "fedbn" });
    for (const name of [BN_W, BN_MEAN, BN_COUNT]) assert.equal(s.sharing.shares(name), false, name);
    const { global, result, after } = round(s, twoSites);
    assert.deepEqual([...global.keys()].sort(), [BODY, HEAD]);
    assert.deepEqual(result.aggregated, [BODY, HEAD]);
    assert.deepEqual(values(result.weights.get(BODY)), [2, 4]);
    // Each site keeps its own BatchNorm tensors, bit for bit.
    assert.deepEqual(values(after[0].get(BN_W)), [1, 1]);
    assert.deepEqual(values(after[1].get(BN_W)), [3, 5]);
    assert.deepEqual(values(after[1].get(BN_MEAN)), [2, 4]);
    assert.equal(after[1].get(BN_COUNT)!.data[0], 20n);
  });

  test("FedBN with SegViz heads: only the body is averaged", () => {
    const { result, after } = round(make({ name: "fedbn", headLocal: true }), twoSites);
    assert.deepEqual(result.aggregated, [BODY]);
    assert.deepEqual(values(after[0].get(HEAD)), [5, 5]);
    assert.deepEqual(values(after[1].get(HEAD)), [7, 9]);
  });
});

describe("SegViz head-local sharing", () => {
  test("heads model.2.* stay at their site; the body and BatchNorm are averaged", () => {
    const s = make({ name: "segviz" });
    assert.equal(s.sharing.shares(HEAD), false);
    const { result, after } = round(s, twoSites);
    assert.deepEqual(result.aggregated, [BN_COUNT, BN_MEAN, BN_W, BODY].sort());
    assert.deepEqual(values(after[0].get(HEAD)), [5, 5]);
    assert.deepEqual(values(after[1].get(HEAD)), [7, 9]);
    assert.deepEqual(values(after[0].get(BODY)), [2, 4]);
    assert.deepEqual(values(after[1].get(BN_W)), [2, 3]);
  });

  test("sites with different heads federate on the intersection of shared names", () => {
    const s = make({ name: "segviz" });
    const extra = "model.1.submodule.extra.weight";
    const a = new Map([...siteA, [extra, f32(9, 9)], ["model.2.liver.weight", f32(1)]]);
    const b = new Map([...siteB, ["model.2.spleen.weight", f32(2, 2, 2)]]);
    const global = new Map([...s.sharing.shared(start), [extra, f32(0, 0)]]);
    const { result, after } = round(
      s,
      [
        { id: "a", cases: 1, weights: a },
        { id: "b", cases: 1, weights: b },
      ],
      global,
    );
    assert.ok(!result.aggregated.includes(extra));
    assert.deepEqual(result.unchanged, [extra]);
    assert.deepEqual(values(result.weights.get(extra)), [0, 0], "a name only one site has is left as it was");
    assert.deepEqual(values(result.weights.get(BODY)), [2, 4]);
    assert.deepEqual(values(after[0].get("model.2.liver.weight")), [1]);
    assert.deepEqual(values(after[1].get("model.2.spleen.weight")), [2, 2, 2]);
  });

  test("share patterns from the config add to the strategy's own", () => {
    const s = make({ name: "segviz", share: { exclude: ["model.0.*"] } });
    assert.equal(s.sharing.shares(BODY), false);
    assert.equal(s.sharing.shares("model.1.submodule.0.conv.weight"), true);
    assert.equal(s.sharing.shares(HEAD), false);
  });
});

describe("FedProx", () => {
  test("the round plan carries mu; the server averages as FedAvg", () => {
    const s = make({ name: "fedprox", proximalMu: 0.5, localEpochs: 3 });
    const plan = s.configureRound(1);
    assert.equal(plan.proximalMu, 0.5);
    assert.equal(plan.localEpochs, 3);
    assert.equal(make({ name: "fedavg" }).configureRound(1).proximalMu, 0);
    assert.deepEqual(values(round(s, twoSites).result.weights.get(BODY)), [2, 4]);
  });
});

describe("FedAdam and FedYogi", () => {
  const config = { serverLearningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
  // Round 1 from x = 0 with mean (2, 4): delta = (2, 4), m = 0.1 * delta.
  const step = (v: number, m: number) => Math.fround((0.01 * m) / (Math.sqrt(v) + 1e-3));

  test("FedAdam moves the global weights by the server Adam step, not to the mean", () => {
    const { result } = round(make({ name: "fedadam", ...config }), twoSites);
    const expected = [2, 4].map((d) => step(0.99 * 1e-6 + 0.01 * d * d, 0.1 * d));
    assert.deepEqual(values(result.weights.get(BODY)), expected);
    assert.notDeepEqual(expected, [2, 4]);
    // Integer tensors have no gradient to follow: they take the mean.
    assert.equal(result.weights.get(BN_COUNT)!.data[0], 15n);
    // So do running statistics: the mean of (0, 0) and (2, 4), not a server step.
    assert.deepEqual(values(result.weights.get(BN_MEAN)), [1, 2]);
    // BatchNorm's weight is a parameter: it takes the step (means (2, 3)).
    assert.deepEqual(
      values(result.weights.get(BN_W)),
      [2, 3].map((d) => step(0.99 * 1e-6 + 0.01 * d * d, 0.1 * d)),
    );
  });

  test("FedYogi uses the sign-controlled second moment", () => {
    const { result } = round(make({ name: "fedyogi", ...config }), twoSites);
    const expected = [2, 4].map((d) => step(1e-6 - 0.01 * d * d * Math.sign(1e-6 - d * d), 0.1 * d));
    assert.deepEqual(values(result.weights.get(BODY)), expected);
    const adam = round(make({ name: "fedadam", ...config }), twoSites).result.weights.get(BODY)!;
    assert.notDeepEqual(values(adam), expected);
  });

  test("the moments survive save/load: a restored strategy continues bit-identically", () => {
    const a = make({ name: "fedadam", ...config });
    const first = round(a, twoSites).result.weights;
    const saved = a.saveState();
    const b = make({ name: "fedadam", ...config });
    b.loadState(saved);
    const fresh = make({ name: "fedadam", ...config });
    const x = round(a, twoSites, first).result.weights.get(BODY)!;
    const y = round(b, twoSites, first).result.weights.get(BODY)!;
    const z = round(fresh, twoSites, first).result.weights.get(BODY)!;
    assert.deepEqual(x.data, y.data);
    assert.notDeepEqual(x.data, z.data, "without its moments the step differs");
  });
});

test("unknown strategy names are refused with the list of known ones", () => {
  assert.throws(
    () => createStrategy({ name: "fedmagic" as never }),
    /unknown strategy "fedmagic"; choose one of fedavg, fedbn/,
  );
  assert.throws(() => createStrategy({ name: "toString" as never }), /unknown strategy/);
});
