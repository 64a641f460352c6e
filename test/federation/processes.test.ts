// Separate processes over loopback, as deployed: simulate(), a site killed mid-round that comes
// back, and a coordinator killed and resumed that ends with the same global weights as an
// uninterrupted run.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadCheckpoint } from "../../src/federation/coordinator/checkpoint.js";
import { startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import type { SiteRoundRecord } from "../../src/federation/coordinator/round-log.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import {
  QUADRATIC_INITIAL_MODEL,
  QUADRATIC_TRAINER_MODULE,
} from "../../src/federation/simulation/messages.js";
import { forkCoordinator, forkSite } from "../../src/federation/simulation/processes.js";
import { simulate } from "../../src/federation/simulation/simulate.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import { tensorsEqual } from "../../src/federation/weights/weight-set.js";
import { LOOPBACK, referenceFederation, tempDir, tokens } from "./helpers/federation.js";

const ids = ["site-a", "site-b", "site-c"];
const quadratic = (k: number, extra: Record<string, unknown> = {}) => ({
  module: QUADRATIC_TRAINER_MODULE,
  options: { siteSeed: k + 1, ...extra },
});
const until = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("federation as separate processes", { timeout: 120_000 }, () => {
  test("simulate: a coordinator and 3 site processes for 3 rounds", async () => {
    const dir = tempDir("simulate");
    try {
      const roundLogFile = join(dir.path, "rounds.jsonl");
      const result = await simulate({
        coordinator: {
          rounds: 3,
          strategy: { name: "segviz" },
          sites: tokens(ids),
          initialModel: QUADRATIC_INITIAL_MODEL,
          minSitesToStart: 3,
          roundLogFile,
        },
        sites: ids.map((siteId) => ({ config: { siteId, token: `token-${siteId}` } })),
        stdio: "ignore",
      });
      assert.equal(result.completedRounds, 3);
      assert.deepEqual(
        result.sites.map((s) => [s.exitCode, s.roundsTrained]),
        ids.map(() => [0, 3]),
      );
      const lines = readFileSync(roundLogFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(lines.filter((l) => l.type === "round").length, 3);
      assert.equal(lines.filter((l) => l.type === "site-round" && l.status === "accepted").length, 9);
    } finally {
      dir.remove();
    }
  });

  test("simulate returns the federation's outcome: final shared weights and each site's merged model, as an in-process reference computes them", async () => {
    const dir = tempDir("simulate-outcome");
    try {
      const strategy = { name: "fedbn" as const, headLocal: true };
      const config = {
        coordinator: {
          rounds: 3,
          strategy,
          sites: tokens(ids),
          initialModel: QUADRATIC_INITIAL_MODEL,
          minSitesToStart: 3,
          checkpointDir: join(dir.path, "coordinator"),
          resume: true,
          roundLogFile: join(dir.path, "rounds.jsonl"),
        },
        sites: ids.map((siteId, k) => ({
          config: { siteId, token: `token-${siteId}`, stateDir: join(dir.path, siteId) },
          trainer: quadratic(k),
        })),
        stdio: "ignore" as const,
      };
      const seen: number[] = [];
      const result = await simulate({ ...config, onRoundCompleted: (n) => seen.push(n) });
      assert.equal(result.alreadyFinished, false);
      assert.equal(seen.at(-1), 3);
      const outcome = result.outcome!;
      const finalSites = new Map();
      const expected = await referenceFederation(
        strategy,
        3,
        ids.map((id, k) => ({ id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) })),
        finalSites,
      );
      assert.deepEqual([...outcome.shared.keys()].sort(), [...expected.keys()].sort());
      for (const [name, t] of expected)
        assert.ok(tensorsEqual(outcome.shared.get(name)!, t), `shared ${name}`);
      for (const site of outcome.sites) {
        const reference = finalSites.get(site.siteId)!;
        assert.deepEqual([...site.merged.keys()].sort(), [...reference.keys()].sort(), site.siteId);
        for (const [name, t] of reference)
          assert.ok(tensorsEqual(site.merged.get(name)!, t), `${site.siteId} ${name}`);
        // Local and shared are disjoint, and the BatchNorm and head tensors are among the local ones.
        for (const name of site.local.keys()) assert.ok(!outcome.shared.has(name), name);
        assert.ok([...site.local.keys()].some((n) => n.startsWith("model.2.")));
      }
      assert.deepEqual(outcome.verification, { completedRounds: 3, roundsVerified: 3 });
      // Run again: the federation is finished, so nothing starts and the same outcome comes back.
      const again = await simulate(config);
      assert.equal(again.alreadyFinished, true);
      for (const [name, t] of outcome.shared) assert.ok(tensorsEqual(again.outcome!.shared.get(name)!, t));
      for (const [i, site] of outcome.sites.entries())
        for (const [name, t] of site.merged)
          assert.ok(tensorsEqual(again.outcome!.sites[i].merged.get(name)!, t));
    } finally {
      dir.remove();
    }
  });

  test("a site killed mid-round: the round closes with the others; the site rejoins from its saved state", async () => {
    const dir = tempDir("site-kill");
    try {
      const log = new MemoryLogger();
      const handle = await startCoordinator(
        {
          host: LOOPBACK,
          port: 0,
          rounds: 4,
          strategy: { name: "fedbn", headLocal: true },
          sites: tokens(ids),
          initialModel: QUADRATIC_INITIAL_MODEL,
          // Rounds start with all three, so site c trains round 1 and must be back for round 3;
          // they close with two, so round 2 finishes without it.
          minSitesToStart: 3,
          minSitesToClose: 2,
          roundTimeoutMs: 20_000,
        },
        log,
      );
      const fork = (k: number) =>
        forkSite(
          {
            siteId: ids[k],
            coordinator: `${LOOPBACK}:${handle.port}`,
            token: `token-${ids[k]}`,
            stateDir: join(dir.path, ids[k]),
            reconnect: { initialDelayMs: 50 },
          },
          quadratic(k, { stepDelayMs: k === 2 ? 60 : 10 }),
          { stdio: "ignore" },
        );
      const sites = [fork(0), fork(1), fork(2)];
      // Kill site c in round 2, after it saved round 1's local state and while it trains.
      await until(
        "round 2 with site c",
        () => handle.status().round === 2 && handle.status().sites.length === 3,
      );
      await until("site c's round-1 state", () =>
        existsSync(join(dir.path, "site-c", "local-round-1.safetensors")),
      );
      sites[2].child.kill("SIGKILL");
      await sites[2].exit;
      await until("round 2 closed", () => handle.status().completedRounds >= 2);
      const restarted = fork(2);
      const result = await handle.done;
      await Promise.all([sites[0].exit, sites[1].exit, restarted.exit]);
      assert.equal(result.completedRounds, 4);
      const recs = result.roundLog.records;
      const round2 = recs.find((r) => r.type === "round" && r.round === 2 && r.status === "completed");
      assert.deepEqual(round2?.type === "round" && round2.accepted, ["site-a", "site-b"]);
      const c2 = recs.find(
        (r): r is SiteRoundRecord => r.type === "site-round" && r.round === 2 && r.site === "site-c",
      );
      assert.match(c2?.reason ?? "", /disconnected/);
      const last = recs.filter((r) => r.type === "round").at(-1);
      assert.deepEqual(last?.type === "round" && last.accepted, ids, "site c is back by the last round");
      assert.ok(
        log.records.some(
          (r) =>
            r.event === "site-joined" && r.fields.site === "site-c" && (r.fields.resumedRound as number) >= 1,
        ),
      );
      assert.equal((await restarted.finished)?.type, "done");
    } finally {
      dir.remove();
    }
  });

  test("a coordinator killed after round 2 resumes and ends with the uninterrupted run's weights", async () => {
    const dir = tempDir("coord-kill");
    try {
      const strategy = { name: "fedadam" as const, headLocal: true, serverLearningRate: 0.05 };
      const rounds = 5;
      const config = {
        host: LOOPBACK,
        port: 0,
        rounds,
        strategy,
        sites: tokens(ids),
        initialModel: QUADRATIC_INITIAL_MODEL,
        minSitesToStart: 3,
        checkpointDir: join(dir.path, "checkpoint"),
        roundLogFile: join(dir.path, "rounds.jsonl"),
        resume: true,
      };
      const first = forkCoordinator(config, { stdio: "ignore" });
      const { port } = await first.listening;
      const sites = ids.map((siteId, k) =>
        forkSite(
          {
            siteId,
            coordinator: `${LOOPBACK}:${port}`,
            token: `token-${siteId}`,
            stateDir: join(dir.path, siteId),
            reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
          },
          quadratic(k, { stepDelayMs: 15 }),
          { stdio: "ignore" },
        ),
      );
      await until("checkpoint of round 2", () => (loadCheckpoint(config.checkpointDir)?.round ?? 0) >= 2);
      first.child.kill("SIGKILL");
      await first.exit;
      const killedAt = loadCheckpoint(config.checkpointDir)!.round;
      assert.ok(killedAt < rounds, "killed before the end");
      const second = forkCoordinator({ ...config, port }, { stdio: "ignore" });
      await second.listening;
      assert.equal((await second.finished)?.type, "done");
      await Promise.all(sites.map((s) => s.exit));
      const resumed = loadCheckpoint(config.checkpointDir)!;
      assert.equal(resumed.round, rounds);

      const expected = await referenceFederation(
        strategy,
        rounds,
        ids.map((id, k) => ({ id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) })),
      );
      assert.deepEqual([...resumed.global.keys()].sort(), [...expected.keys()].sort());
      for (const [name, t] of expected)
        assert.ok(tensorsEqual(resumed.global.get(name)!, t), `${name} after resume`);
      const completed = readFileSync(config.roundLogFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((l) => l.type === "round" && l.status === "completed")
        .map((l) => l.round);
      assert.deepEqual([...new Set(completed)], [1, 2, 3, 4, 5], "no completed round is lost");
    } finally {
      dir.remove();
    }
  });
});
