// A federation of test sites over loopback gRPC for a few rounds: the network run must give
// bit-for-bit the global weights the strategy computes directly, heads and BatchNorm tensors
// must stay where the strategy says, and the round log and status endpoint must tell the story.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { StrategyConfig } from "../../src/federation/strategies/config.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import { tensorsEqual } from "../../src/federation/weights/weight-set.js";
import { LOOPBACK, referenceFederation, runInProcess, tempDir } from "./helpers/federation.js";

const trainers = (n: number, options: { stepDelayMs?: number } = {}) =>
  Array.from({ length: n }, (_, k) => ({
    id: `site-${String.fromCharCode(97 + k)}`,
    trainer: new QuadraticTestTrainer({
      siteSeed: k + 1,
      numTrainingCases: 5 * (k + 1),
      organs: [`organ-${k}`],
      ...options,
    }),
  }));

describe("federation over loopback", { timeout: 60_000 }, () => {
  for (const strategy of [
    { name: "segviz" },
    { name: "fedbn", headLocal: true, weighting: "cases" },
    { name: "fedprox", proximalMu: 0.3, localEpochs: 2, headLocal: true },
    { name: "fedyogi", serverLearningRate: 0.05, headLocal: true },
  ] as StrategyConfig[]) {
    test(`${strategy.name}: 3 sites, 3 rounds, global weights identical to the direct computation`, async () => {
      const { handle, siteRuns } = await runInProcess(
        { rounds: 3, strategy, minSitesToStart: 3 },
        trainers(3),
      );
      const result = await handle.done;
      await Promise.all(siteRuns);
      const expected = await referenceFederation(strategy, 3, trainers(3));
      assert.equal(result.completedRounds, 3);
      assert.deepEqual([...result.global.keys()].sort(), [...expected.keys()].sort());
      for (const [name, t] of expected) assert.ok(tensorsEqual(result.global.get(name)!, t), name);
      for (const name of result.global.keys())
        assert.ok(!name.startsWith("model.2."), `head ${name} left a site`);
      if (strategy.name === "fedbn") {
        for (const name of result.global.keys())
          assert.ok(!name.includes(".adn.N."), `BatchNorm ${name} left a site`);
      }
    });
  }

  test("round log lines, evaluation, and the HTTP status endpoint while running", async () => {
    const dir = tempDir("fed-log");
    try {
      const roundLogFile = join(dir.path, "rounds.jsonl");
      const { handle, siteRuns } = await runInProcess(
        {
          rounds: 3,
          strategy: { name: "segviz" },
          minSitesToStart: 2,
          evaluateEvery: 1,
          roundLogFile,
          status: { port: 0 },
        },
        trainers(2, { stepDelayMs: 30 }),
      );
      assert.ok(handle.statusPort !== undefined);
      let seen: { phase: string; sites: { id: string }[]; completedRounds: number } | undefined;
      for (let i = 0; i < 200 && (seen === undefined || seen.completedRounds < 1); i++) {
        const res = await fetch(`http://${LOOPBACK}:${handle.statusPort}/status`);
        seen = (await res.json()) as typeof seen;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(seen !== undefined && seen.completedRounds >= 1);
      assert.deepEqual(seen.sites.map((s) => s.id).sort(), ["site-a", "site-b"]);
      assert.equal((await fetch(`http://${LOOPBACK}:${handle.statusPort}/other`)).status, 404);
      await handle.done;
      await Promise.all(siteRuns);
      const lines = readFileSync(roundLogFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const rounds = lines.filter((l) => l.type === "round");
      const perSite = lines.filter((l) => l.type === "site-round");
      assert.deepEqual(
        rounds.map((r) => r.round),
        [1, 2, 3],
      );
      assert.equal(perSite.length, 6);
      for (const r of perSite) {
        assert.equal(r.status, "accepted");
        assert.ok(r.bytesIn > 0 && r.bytesOut > 0 && r.durationMs >= 0);
        assert.equal(typeof r.metrics.loss, "number");
      }
      for (const r of rounds) {
        assert.equal(typeof r.evaluation["site-a"].loss, "number");
        assert.ok(r.metrics.loss < r.metrics.loss_before, "local training lowers the loss");
      }
    } finally {
      dir.remove();
    }
  });
});
