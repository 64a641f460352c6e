// Bad updates never reach the global model: a NaN, a wrong shape, a partial update and a corrupted chunk are each
// rejected with a logged reason, the round goes on with the good sites, and the global weights
// equal what the good sites alone produce.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCheckpoint } from "../../src/federation/coordinator/checkpoint.js";
import type { SiteRoundRecord } from "../../src/federation/coordinator/round-log.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import {
  decodeWeightSet,
  encodeWeightSet,
  tensorsEqual,
  toFloat64,
} from "../../src/federation/weights/weight-set.js";
import { jsonLines } from "../helpers/processes.js";
import {
  LOOPBACK,
  referenceFederation,
  runInProcess,
  simulateQuadratic,
  tempDir,
  tokens,
} from "./helpers/federation.js";
import { openJoin, runCorruptingSite } from "./helpers/hostile-site.js";

test(
  "NaN, wrong shape, partial update and corrupted chunk are rejected; the round goes on without them",
  { timeout: 60_000 },
  async () => {
    const good = () => [
      { id: "a-good", trainer: new QuadraticTestTrainer({ siteSeed: 1 }) },
      { id: "b-good", trainer: new QuadraticTestTrainer({ siteSeed: 2 }) },
    ];
    const log = new MemoryLogger();
    const { handle, siteRuns } = await runInProcess(
      {
        rounds: 2,
        strategy: { name: "segviz" },
        sites: tokens(["a-good", "b-good", "w-partial", "x-nan", "y-shape", "z-corrupt"]),
        minSitesToStart: 6,
        minSitesToClose: 2,
      },
      [
        ...good(),
        {
          // Sends one of the shared tensors: a mean over the names every site sent would have
          // frozen all the others for everyone.
          id: "w-partial",
          trainer: new QuadraticTestTrainer({ siteSeed: 5, poison: { fromRound: 1, kind: "partial" } }),
        },
        {
          id: "x-nan",
          trainer: new QuadraticTestTrainer({ siteSeed: 3, poison: { fromRound: 1, kind: "nan" } }),
        },
        {
          id: "y-shape",
          trainer: new QuadraticTestTrainer({ siteSeed: 4, poison: { fromRound: 1, kind: "shape" } }),
        },
      ],
      log,
    );
    const hostile = runCorruptingSite(`${LOOPBACK}:${handle.port}`, "z-corrupt", "token-z-corrupt");
    const result = await handle.done;
    await Promise.all([...siteRuns, hostile]);

    assert.equal(result.completedRounds, 2);
    const records = result.roundLog.records.filter((r): r is SiteRoundRecord => r.type === "site-round");
    const reason = (site: string) =>
      records.filter((r) => r.site === site).map((r) => `${r.status}: ${r.reason}`);
    for (const r of [1, 2]) {
      assert.match(reason("w-partial")[r - 1], /^rejected: update lacks \d+ of the \d+ shared tensors: "/);
      assert.match(
        reason("x-nan")[r - 1],
        /^rejected: tensor "model.0.conv.unit0.conv.weight": element 0 is NaN/,
      );
      assert.match(
        reason("y-shape")[r - 1],
        /^rejected: tensor "model.0.conv.unit0.conv.weight": shape \[13\], expected \[4,3\]/,
      );
      assert.match(
        reason("z-corrupt")[r - 1],
        /^rejected: payload from site z-corrupt: sha256: checksum mismatch/,
      );
    }
    assert.ok(log.records.some((r) => r.event === "update-rejected" && r.fields.site === "x-nan"));
    const rounds = result.roundLog.records.filter((r) => r.type === "round");
    for (const r of rounds) assert.deepEqual(r.accepted, ["a-good", "b-good"]);

    for (const t of result.global.values()) {
      if (t.dtype === "float32") assert.ok(toFloat64(t).every(Number.isFinite));
    }
    const expected = await referenceFederation({ name: "segviz" }, 2, good());
    for (const [name, t] of expected)
      assert.ok(tensorsEqual(result.global.get(name)!, t), `${name} equals the good sites' result`);
  },
);

test("a norm bound rejects an update that moves the weights too far", { timeout: 30_000 }, async () => {
  const { handle, siteRuns } = await runInProcess(
    { rounds: 1, strategy: { name: "segviz" }, minSitesToStart: 2, minSitesToClose: 1, maxUpdateNorm: 1e-6 },
    [
      { id: "a", trainer: new QuadraticTestTrainer({ siteSeed: 1 }) },
      { id: "b", trainer: new QuadraticTestTrainer({ siteSeed: 2 }) },
    ],
  );
  const result = await handle.done.then(
    () => "completed",
    (e: Error) => e.message,
  );
  await Promise.allSettled(siteRuns);
  assert.match(result, /round 1 failed 5 times/);
  assert.ok(handle.status().lastRound?.status === "retry");
});

test(
  "a scaled update (x1000) among four is rejected by default against the round's median norm; honest sites finish",
  { timeout: 60_000 },
  async () => {
    const honest = ["a", "b", "c"].map((id, k) => ({
      id,
      trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }),
    }));
    const { handle, siteRuns } = await runInProcess(
      { rounds: 2, strategy: { name: "segviz" }, minSitesToStart: 4, minSitesToClose: 3 },
      [
        ...honest,
        {
          id: "x-scaled",
          trainer: new QuadraticTestTrainer({ siteSeed: 4, poison: { fromRound: 1, kind: "scale" } }),
        },
      ],
    );
    const result = await handle.done;
    await Promise.all(siteRuns);
    assert.equal(result.completedRounds, 2);
    const records = result.roundLog.records.filter((r): r is SiteRoundRecord => r.type === "site-round");
    for (const r of records.filter((x) => x.site === "x-scaled"))
      assert.match(
        `${r.status}: ${r.reason}`,
        /^rejected: update norm \S+ exceeds 100 x the round's median update norm/,
      );
    for (const r of result.roundLog.records.filter((x) => x.type === "round"))
      assert.deepEqual(r.accepted, ["a", "b", "c"]);
    const expected = await referenceFederation(
      { name: "segviz" },
      2,
      honest.map((h, k) => ({ id: h.id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) })),
    );
    for (const [name, t] of expected)
      assert.ok(tensorsEqual(result.global.get(name)!, t), `${name} equals the honest sites' result`);
  },
);

test(
  "as processes: a partial and a scaled site are rejected by name each round; the checkpoint is the honest sites' federation",
  { timeout: 60_000 },
  async () => {
    const dir = tempDir("bad-updates-processes");
    try {
      const ids = ["a", "b", "c", "w-partial", "x-scaled"];
      const poison = (id: string) =>
        id === "w-partial"
          ? { fromRound: 1, kind: "partial" }
          : id === "x-scaled"
            ? { fromRound: 1, kind: "scale" }
            : undefined;
      const { result, checkpointDir, roundLogFile } = await simulateQuadratic(dir.path, ids, {
        minSitesToClose: 3,
        siteOptions: (id) => ({ poison: poison(id) }),
      });
      assert.equal(result.completedRounds, 2);
      for (const s of result.sites) assert.equal(s.exitCode, 0, s.siteId);
      const log = jsonLines(roundLogFile);
      const reasons = (site: string) =>
        log.filter((r) => r.type === "site-round" && r.site === site).map((r) => `${r.status}: ${r.reason}`);
      assert.equal(reasons("w-partial").length, 2);
      for (const r of reasons("w-partial"))
        assert.match(r, /^rejected: update lacks \d+ of the \d+ shared tensors/);
      assert.equal(reasons("x-scaled").length, 2);
      for (const r of reasons("x-scaled"))
        assert.match(r, /^rejected: update norm \S+ exceeds 100 x the round's median update norm/);
      const expected = await referenceFederation(
        { name: "segviz" },
        2,
        ["a", "b", "c"].map((id, k) => ({ id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) })),
      );
      const global = loadCheckpoint(checkpointDir)!.global;
      for (const [name, t] of expected) assert.ok(tensorsEqual(global.get(name)!, t), name);
    } finally {
      dir.remove();
    }
  },
);

test(
  "a site that uploads before its grant and one that announces a false norm are rejected by name",
  { timeout: 60_000 },
  async () => {
    const honest = ["a", "b", "c"].map((id, k) => ({
      id,
      trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }),
    }));
    const { handle, siteRuns } = await runInProcess(
      {
        rounds: 2,
        strategy: { name: "segviz" },
        sites: tokens(["a", "b", "c", "x-early", "y-liar", "z-silent"]),
        minSitesToStart: 6,
        minSitesToClose: 3,
        concurrentUploads: 1,
        // z-silent never answers: each round closes at its timeout, holding x-early's outlier
        // norm until then, so its unsolicited chunks arrive while it waits.
        roundTimeoutMs: 2500,
      },
      honest,
    );
    const shifted = (by: number) => (bytes: Uint8Array) => {
      const w = decodeWeightSet(bytes, "global");
      for (const t of w.values())
        if (t.data instanceof Float32Array) for (let i = 0; i < t.data.length; i++) t.data[i] += by;
      return encodeWeightSet(w);
    };
    const address = `${LOOPBACK}:${handle.port}`;
    const silent = openJoin(address);
    silent.hello("z-silent", "token-z-silent");
    // Announces a norm the screen must hold until every site is in, and sends its chunks anyway.
    const early = runCorruptingSite(address, "x-early", "token-x-early", shifted(1e-3), {
      ignoreGrant: true,
      announce: () => 1e30,
    });
    // Moves the weights by 5 per value but announces a thousandth of that norm, to pass the screen.
    const liar = runCorruptingSite(address, "y-liar", "token-y-liar", shifted(5), {
      announce: (n) => n / 1000,
    });
    const result = await handle.done;
    await Promise.all([...siteRuns, early, liar, silent.ended]);
    silent.close();
    assert.equal(result.completedRounds, 2);
    const records = result.roundLog.records.filter((r): r is SiteRoundRecord => r.type === "site-round");
    const reasons = (site: string) =>
      records.filter((r) => r.site === site).map((r) => `${r.status}: ${r.reason}`);
    for (const r of reasons("x-early"))
      assert.equal(r, "rejected: weight chunk sent before the coordinator granted the upload");
    for (const r of reasons("y-liar"))
      assert.match(r, /^rejected: update norm \S+ differs from the \S+ announced with the result$/);
    assert.equal(reasons("x-early").length, 2);
    assert.equal(reasons("y-liar").length, 2);
    for (const r of result.roundLog.records.filter((x) => x.type === "round")) {
      assert.deepEqual(r.accepted, ["a", "b", "c"]);
      assert.equal(r.aggregation, "streaming");
    }
    const expected = await referenceFederation(
      { name: "segviz" },
      2,
      ["a", "b", "c"].map((id, k) => ({ id, trainer: new QuadraticTestTrainer({ siteSeed: k + 1 }) })),
    );
    for (const [name, t] of expected)
      assert.ok(tensorsEqual(result.global.get(name)!, t), `${name} equals the honest sites' result`);
  },
);
