// Differential privacy in a running federation (real gRPC, sites in this process): the round log
// and the status endpoint report (epsilon, delta) after every round as the accountant computes
// it; a resumed coordinator continues the ledger; a site that ignores the clipping norm is
// rejected; secure aggregation with distributed noise reports the survivors' effective noise.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { CoordinatorConfig } from "../../../src/federation/coordinator/config.js";
import type { RoundRecord, SiteRoundRecord } from "../../../src/federation/coordinator/round-log.js";
import { privacySpent } from "../../../src/federation/privacy/differential-privacy/rdp-accountant.js";
import { QuadraticTestTrainer } from "../../../src/federation/testing/quadratic-trainer.js";
import { decodeWeightSet, encodeWeightSet, numericView } from "../../../src/federation/weights/weight-set.js";
import { LOOPBACK, referenceFederation, runInProcess, tempDir } from "../helpers/federation.js";
import { runCorruptingSite } from "../helpers/hostile-site.js";

const strategy = { name: "fedavg" as const, share: { exclude: ["*.num_batches_tracked"] } };
const sites = (ids: string[]) =>
  ids.map((id, k) => ({ id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) }));
const epsilonAfter = (rounds: number, z: number) =>
  privacySpent(
    Array.from({ length: rounds }, (_, k) => ({ round: k + 1, noiseMultiplier: z, sampleRate: 1 })),
    1e-5,
  ).epsilon;

async function run(config: Partial<CoordinatorConfig>, ids: string[]) {
  const { handle, siteRuns } = await runInProcess(
    { rounds: 2, strategy, minSitesToStart: ids.length, ...config },
    sites(ids),
  );
  const result = await handle.done;
  await Promise.allSettled(siteRuns);
  const rounds = result.roundLog.records.filter((r): r is RoundRecord => r.type === "round");
  return { result, rounds, status: handle.status() };
}

describe("differential privacy in a federation", { concurrency: false }, () => {
  const dir = tempDir("dp");
  after(() => dir.remove());

  test("central noise: epsilon after each round is the accountant's, in the round log and the status", async () => {
    const checkpointDir = join(dir.path, "central");
    const dp = { noiseMultiplier: 1.3, clipNorm: 0.5 };
    const { rounds, status, result } = await run({ differentialPrivacy: dp, checkpointDir }, ["a", "b", "c"]);
    assert.deepEqual(
      rounds.map((r) => r.status),
      ["completed", "completed"],
    );
    rounds.forEach((r, k) => {
      assert.equal(r.privacy?.noiseMultiplier, 1.3);
      assert.ok(Math.abs(r.privacy!.epsilon - epsilonAfter(k + 1, 1.3)) < 1e-12, `round ${k + 1}`);
    });
    assert.equal(status.privacy?.epsilon, rounds[1].privacy?.epsilon);
    assert.equal(status.privacy?.noise, "central");
    // Every accepted update was within the clipping norm, and the quadratic sites' were clipped.
    const siteRounds = result.roundLog.records.filter((r): r is SiteRoundRecord => r.type === "site-round");
    for (const s of siteRounds) {
      assert.equal(s.status, "accepted");
      assert.ok(s.updateNorm! <= 0.5, `${s.site}: ${s.updateNorm}`);
      assert.equal(s.metrics?.dpUnclipped, 0);
      assert.ok(s.metrics!.dpUpdateNorm > 0.5);
    }
    // Resumed for a third round: the ledger continues from the checkpoint.
    const resumed = await run({ differentialPrivacy: dp, checkpointDir, resume: true, rounds: 3 }, [
      "a",
      "b",
      "c",
    ]);
    assert.equal(resumed.rounds.length, 1);
    assert.ok(Math.abs(resumed.rounds[0].privacy!.epsilon - epsilonAfter(3, 1.3)) < 1e-12);
    // A checkpoint without a ledger cannot resume a private federation.
    await assert.rejects(
      run({ checkpointDir: join(dir.path, "plain") }, ["a"]).then(() =>
        run({ differentialPrivacy: dp, checkpointDir: join(dir.path, "plain"), resume: true, rounds: 3 }, [
          "a",
        ]),
      ),
      /no privacy ledger/,
    );
  });

  test("a site that ignores the clipping norm is rejected, and the round closes with the others", async () => {
    const { handle, siteRuns } = await runInProcess(
      {
        rounds: 1,
        strategy,
        minSitesToStart: 3,
        minSitesToClose: 2,
        differentialPrivacy: { noiseMultiplier: 1, clipNorm: 0.5 },
        sites: ["a", "b", "z-noclip"].map((id) => ({ id, token: `token-${id}` })),
      },
      sites(["a", "b"]),
    );
    // Sends the global weights plus 1 on every float value: a norm far above 0.5.
    const hostile = runCorruptingSite(`${LOOPBACK}:${handle.port}`, "z-noclip", "token-z-noclip", (bytes) => {
      const w = decodeWeightSet(bytes, "global");
      for (const t of w.values())
        if (t.data instanceof Float32Array) for (let i = 0; i < t.data.length; i++) t.data[i] += 1;
      return encodeWeightSet(w);
    });
    const result = await handle.done;
    await Promise.allSettled([...siteRuns, hostile]);
    const bad = result.roundLog.records.find(
      (r): r is SiteRoundRecord => r.type === "site-round" && r.site === "z-noclip",
    );
    assert.equal(bad?.status, "rejected");
    assert.match(bad!.reason!, /exceeds the differential-privacy clipping norm 0.5/);
  });

  test("secure aggregation with distributed noise: each site adds its share, epsilon counts the survivors' noise", async () => {
    const { rounds, status } = await run(
      {
        rounds: 1,
        secureAggregation: { threshold: 2 },
        differentialPrivacy: { noiseMultiplier: 1.1, clipNorm: 0.5 },
      },
      ["a", "b", "c"],
    );
    assert.equal(rounds[0].status, "completed");
    assert.deepEqual(rounds[0].secureAggregation?.summed, ["a", "b", "c"]);
    assert.ok(Math.abs(rounds[0].privacy!.noiseMultiplier - 1.1) < 1e-12);
    assert.equal(status.privacy?.noise, "distributed");
    assert.ok(Math.abs(rounds[0].privacy!.epsilon - epsilonAfter(1, 1.1)) < 1e-9);
  });

  test("secure aggregation composes with case weighting (pre-scaled), FedBN's local tensors and FedAdam's server step", async () => {
    const ids = ["a", "b", "c"];
    const trainers = () =>
      ids.map((id, k) => ({
        id,
        trainer: new QuadraticTestTrainer({ siteSeed: k + 1, numTrainingCases: 5 + 7 * k }),
      }));
    for (const strategyConfig of [
      { name: "fedbn" as const, headLocal: true, weighting: "cases" as const },
      { name: "fedadam" as const, headLocal: true },
    ]) {
      const { handle, siteRuns } = await runInProcess(
        {
          rounds: 2,
          strategy: strategyConfig,
          minSitesToStart: 3,
          secureAggregation: { threshold: 2, bits: 24, clipRange: 8 },
        },
        trainers(),
      );
      const result = await handle.done;
      await Promise.allSettled(siteRuns);
      const want = await referenceFederation(strategyConfig, 2, trainers());
      assert.deepEqual([...result.global.keys()].sort(), [...want.keys()].sort());
      // FedBN keeps BatchNorm and heads at the sites: they are not in the global set at all.
      if (strategyConfig.name === "fedbn")
        assert.ok(![...result.global.keys()].some((n) => n.includes(".adn.N.") || n.startsWith("model.2.")));
      const unit = 8 / (2 ** 23 - 1);
      for (const [name, t] of want) {
        const a = numericView(result.global.get(name)!);
        const b = numericView(t);
        // Two rounds: the first round's error moves the second's start; FedAdam's step has slope <= 1.
        for (let i = 0; i < b.length; i++)
          assert.ok(
            Math.abs(a[i] - b[i]) <= 4 * unit + 2 ** -22 * Math.abs(b[i]),
            `${strategyConfig.name} ${name}[${i}]: ${a[i]} vs ${b[i]}`,
          );
      }
    }
  });

  test("adaptive clipping: the clipping norm moves each round and is reported", async () => {
    const { rounds } = await run(
      {
        differentialPrivacy: {
          noiseMultiplier: 1,
          clipNorm: 0.1,
          adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.5, countNoiseStd: 0.6 },
        },
      },
      ["a", "b", "c"],
    );
    const [r1, r2] = rounds.map((r) => r.privacy!);
    assert.equal(r1.clipNorm, 0.1);
    assert.equal(r2.clipNorm, r1.nextClipNorm);
    assert.notEqual(r1.nextClipNorm, r1.clipNorm);
    assert.ok(Math.abs(r1.noiseMultiplier - 1) < 1e-12);
  });

  test("configurations that would void the guarantee are refused before the coordinator listens", async () => {
    const refuse = (config: Partial<CoordinatorConfig>, pattern: RegExp) =>
      assert.rejects(
        runInProcess({ rounds: 1, strategy, ...config }, []).then(({ handle }) => handle.stop()),
        pattern,
      );
    await refuse(
      { strategy: { name: "fedmedian" }, differentialPrivacy: { noiseMultiplier: 1, clipNorm: 1 } },
      /combines each site's update/,
    );
    await refuse(
      { strategy: { name: "fedavg" }, differentialPrivacy: { noiseMultiplier: 1, clipNorm: 1 } },
      /integer tensors/,
    );
    await refuse(
      {
        strategy: { ...strategy, weighting: "cases" },
        differentialPrivacy: { noiseMultiplier: 1, clipNorm: 1 },
      },
      /uniform/,
    );
    await refuse({ secureAggregation: { threshold: 5 } }, /more than the 0 sites|more than the/);
  });
});
