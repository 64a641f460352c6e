// The real SiteTrainer (multi-head UNet + Trainer) in a federation over loopback: two phantom
// sites with different organs (liver, spleen) under the SegViz strategy. Recorded at each site:
// what the site client handed the trainer and what the trainer returned, round by round; and the
// coordinator's global weights. The body (model.0.*, model.1.*) must be averaged, every head
// (heads.<task>.*) must stay at its site, and the coordinator must never hold a head.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type {
  SiteTrainer,
  TrainingResult,
  TrainingRound,
} from "../../../src/federation/site/site-trainer.js";
import { createStrategy } from "../../../src/federation/strategies/registry.js";
import {
  isOptimizerStateName,
  splitOptimizerState,
} from "../../../src/federation/unet-site/optimizer-state.js";
import { initialModelOfSites } from "../../../src/federation/unet-site/unet-initial-model.js";
import { UNetSiteTrainer } from "../../../src/federation/unet-site/unet-site-trainer.js";
import { tensorsEqual, toFloat64, type WeightSet } from "../../../src/federation/weights/weight-set.js";
import { parseSiteConfig } from "../../../src/training/config/site-config.js";
import { tinySiteConfig, writeTinyFederation } from "../../training/federation/phantom-sites.js";
import { runInProcess } from "../helpers/federation.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-unet-site-"));
const fed = join(dir, "fed");
const trainers: UNetSiteTrainer[] = [];
after(async () => {
  for (const t of trainers) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const siteConfig = (organ: string) =>
  parseSiteConfig(tinySiteConfig(fed, organ, join(dir, `out-${organ}`)), `${organ}.json`);

async function site(organ: string): Promise<UNetSiteTrainer> {
  const t = await UNetSiteTrainer.create(siteConfig(organ));
  trainers.push(t);
  return t;
}

class Recording implements SiteTrainer {
  readonly rounds: { round: number; input: WeightSet; output: WeightSet; metrics: Record<string, number> }[] =
    [];
  constructor(readonly inner: SiteTrainer) {}
  describe() {
    return this.inner.describe();
  }
  initialWeights() {
    return this.inner.initialWeights();
  }
  async train(weights: WeightSet, round: TrainingRound): Promise<TrainingResult> {
    const r = await this.inner.train(weights, round);
    this.rounds.push({ round: round.round, input: weights, output: r.weights, metrics: r.metrics });
    return r;
  }
  evaluate(weights: WeightSet, round: number) {
    return this.inner.evaluate(weights, round);
  }
}

const isHead = (n: string) => n.startsWith("heads.");

/** The uniform mean of two tensors as the strategy computes it (float64 sum, then the dtype). */
function mean2(a: WeightSet, b: WeightSet, name: string): number[] {
  const x = toFloat64(a.get(name)!);
  const y = toFloat64(b.get(name)!);
  const out = Array.from(x, (v, i) => 0.5 * v + 0.5 * y[i]);
  const dtype = a.get(name)!.dtype;
  if (dtype === "float32") return out.map(Math.fround);
  if (dtype === "int64") return out.map(Math.round);
  return out;
}

describe("UNetSiteTrainer", { timeout: 120_000 }, () => {
  before(async () => writeTinyFederation(fed));

  test("initial weights are seeded: same on every call, the body the same at every site", async () => {
    const liver = await site("liver");
    const spleen = await site("spleen");
    const a = await liver.initialWeights();
    const again = await liver.initialWeights();
    for (const [n, t] of a) assert.ok(tensorsEqual(t, again.get(n)!), n);
    const b = await spleen.initialWeights();
    const bodyA = [...a.keys()].filter((n) => !isHead(n));
    assert.deepEqual(
      bodyA,
      [...b.keys()].filter((n) => !isHead(n)),
    );
    for (const n of bodyA) assert.ok(tensorsEqual(a.get(n)!, b.get(n)!), `body ${n} differs between sites`);
    assert.ok([...a.keys()].some((n) => n.startsWith("heads.liver.")));
    assert.ok(![...a.keys()].some((n) => n.startsWith("heads.spleen.")));
    assert.deepEqual(liver.describe(), { organs: ["liver"], numTrainingCases: 2 });
  });

  test("train: same inputs, same result; FedProx's mu pulls the body towards the global weights", async () => {
    const liver = await site("liver");
    const initial = await liver.initialWeights();
    const body: WeightSet = new Map([...initial].filter(([n]) => !isHead(n)));
    const round = (proximalMu: number): TrainingRound => ({
      round: 1,
      localEpochs: 1,
      proximalMu,
      globalWeights: body,
      options: {},
    });
    const plain = await liver.train(initial, round(0));
    const again = await liver.train(initial, round(0));
    for (const [n, t] of plain.weights)
      assert.ok(tensorsEqual(t, again.weights.get(n)!), `${n} not reproducible`);
    const prox = await liver.train(initial, round(1e4));
    const distance = (w: WeightSet) => {
      let sq = 0;
      for (const [n, t] of body) {
        if (t.dtype !== "float32") continue;
        const a = toFloat64(w.get(n)!);
        const b = toFloat64(t);
        for (let i = 0; i < a.length; i++) sq += (a[i] - b[i]) ** 2;
      }
      return Math.sqrt(sq);
    };
    assert.ok(distance(plain.weights) > 0);
    assert.ok(
      distance(prox.weights) < distance(plain.weights),
      `prox ${distance(prox.weights)} vs plain ${distance(plain.weights)}`,
    );
    assert.equal(plain.numExamples, 2);
    assert.ok(Number.isFinite(plain.metrics.loss));
    const metrics = await liver.evaluate(plain.weights, 1);
    assert.ok("meanDice" in metrics && "dice.liver" in metrics);
  });

  test("optimizerState keep: two 1-epoch rounds equal one uninterrupted 2-epoch round; reset does not", async () => {
    const liver = await site("liver");
    const initial = await liver.initialWeights();
    const body: WeightSet = new Map([...initial].filter(([n]) => !isHead(n)));
    const round = (r: number, localEpochs: number, optimizerState: string): TrainingRound => ({
      round: r,
      localEpochs,
      proximalMu: 0,
      globalWeights: body,
      options: { optimizerState },
    });
    // The reference: one trainer, epochs 0 and 1 without a break (Adam moments carried along).
    const straight = (await liver.train(initial, round(1, 2, "reset"))).weights;
    const first = await liver.train(initial, round(1, 1, "keep"));
    const state = [...first.weights.keys()].filter(isOptimizerStateName);
    assert.ok(state.length > 0, "keep returns the optimiser's state with the weights");
    assert.ok(state.some((n) => n.includes("exp_avg_sq")));
    const kept = (await liver.train(first.weights, round(2, 1, "keep"))).weights;
    const reset = (await liver.train(splitOptimizerState(first.weights).model, round(2, 1, "reset"))).weights;
    assert.ok(![...reset.keys()].some(isOptimizerStateName), "reset carries no optimiser state");
    const params = [...straight.keys()].filter((n) => straight.get(n)!.dtype === "float32");
    for (const n of params)
      assert.ok(tensorsEqual(kept.get(n)!, straight.get(n)!), `${n}: kept != uninterrupted`);
    assert.ok(
      params.some((n) => !tensorsEqual(reset.get(n)!, straight.get(n)!)),
      "a fresh Adam in round 2 should not reproduce uninterrupted training",
    );
    await assert.rejects(liver.train(initial, round(1, 1, "sometimes")), /optimizerState/);
  });

  test("SegViz over loopback: the body is averaged, each head stays at its site", async () => {
    const sites = [
      { id: "liver", trainer: new Recording(await site("liver")) },
      { id: "spleen", trainer: new Recording(await site("spleen")) },
    ];
    // Adam state kept across rounds: it must travel as local state, never to the coordinator.
    const strategy = { name: "segviz" as const, localEpochs: 1, options: { optimizerState: "keep" } };
    // The coordinator draws the start itself, from the sites' architecture and seed.
    const configs = ["liver", "spleen"].map(siteConfig);
    const initialModel = initialModelOfSites(configs, configs[0].training.seed);
    const { handle, siteRuns } = await runInProcess(
      { rounds: 2, strategy, minSitesToStart: 2, evaluateEvery: 2, initialModel },
      sites,
    );
    const result = await handle.done;
    await Promise.all(siteRuns);
    assert.equal(result.completedRounds, 2);
    const [liver, spleen] = sites.map((s) => s.trainer.rounds);
    assert.deepEqual(
      liver.map((r) => r.round),
      [1, 2],
    );
    assert.deepEqual(
      spleen.map((r) => r.round),
      [1, 2],
    );

    // The strategy's own filter keeps every head local.
    const sharing = createStrategy(strategy).sharing;
    const all = [...liver[0].output.keys(), ...spleen[0].output.keys()];
    const heads = all.filter(isHead);
    const body = [...liver[0].output.keys()].filter((n) => !isHead(n) && !isOptimizerStateName(n));
    assert.ok(heads.length > 0 && body.length > 0);
    for (const n of heads) assert.equal(sharing.shares(n), false, `${n} would be shared`);
    for (const n of body) assert.equal(sharing.shares(n), true, `${n} would not be shared`);

    // The coordinator never held a head: its global set is exactly the body.
    assert.deepEqual([...result.global.keys()].sort(), [...body].sort());

    // Round 1 started every site from the coordinator's own model, which is bit for bit the body
    // each site drew itself with the same seed (whatever its heads).
    for (const [k, mine] of [liver, spleen].entries()) {
      const own = await sites[k].trainer.initialWeights();
      for (const n of body) assert.ok(tensorsEqual(mine[0].input.get(n)!, own.get(n)!), `${n} at round 1`);
    }

    const floatBody = body.filter((n) => liver[0].output.get(n)!.dtype === "float32");
    // Local training moved the body differently at the two sites...
    assert.ok(floatBody.some((n) => !tensorsEqual(liver[0].output.get(n)!, spleen[0].output.get(n)!)));
    for (const [mine, other] of [
      [liver, spleen],
      [spleen, liver],
    ]) {
      // ...round 2 started from their mean at both sites (the aggregated body), bit for bit...
      for (const n of body)
        assert.deepEqual(
          Array.from(toFloat64(mine[1].input.get(n)!)),
          mean2(liver[0].output, spleen[0].output, n),
          n,
        );
      // ...while each site's head went into round 2 exactly as its own round 1 left it, and no
      // head of the other site ever reached it.
      const own = [...mine[0].output.keys()].filter(isHead);
      for (const n of own) assert.ok(tensorsEqual(mine[1].input.get(n)!, mine[0].output.get(n)!), n);
      for (const n of [...other[0].output.keys()].filter(isHead))
        assert.equal(mine[1].input.has(n), false, `${n} reached the other site`);
      // The optimiser's state came back from the site's local store exactly as round 1 left it.
      const moments = [...mine[0].output.keys()].filter(isOptimizerStateName);
      assert.ok(moments.length > 0);
      for (const n of moments) assert.ok(tensorsEqual(mine[1].input.get(n)!, mine[0].output.get(n)!), n);
      // The head did train (it changed in each round).
      assert.ok(own.some((n) => !tensorsEqual(mine[1].output.get(n)!, mine[1].input.get(n)!)));
    }
    // The final global body is the mean of the round-2 uploads.
    for (const n of body)
      assert.deepEqual(
        Array.from(toFloat64(result.global.get(n)!)),
        mean2(liver[1].output, spleen[1].output, n),
        n,
      );
    for (const r of [...liver, ...spleen]) assert.ok(Number.isFinite(r.metrics.loss));
  });
});
