// Connections (issue 12), with a coordinator process and sites as processes on loopback: a second
// connection with a connected site's credential is refused (a stolen token cannot evict the real
// site) unless the policy says "replace"; `segviz server` takes a new site list on SIGHUP, so a
// revoked site is dropped and refused and a new one joins, without a restart.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { CoordinatorConfig } from "../../src/federation/coordinator/config.js";
import { forkCoordinator } from "../../src/federation/simulation/processes.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import { writeSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { CLI, freePort, jsonLines, until } from "../helpers/processes.js";
import {
  forkQuadraticSite,
  LOOPBACK,
  logsIn,
  quadraticCoordinator,
  tempDir,
  tokens,
} from "./helpers/federation.js";
import { openJoin } from "./helpers/hostile-site.js";

function coordinatorConfig(dir: string, extra: Partial<CoordinatorConfig>): CoordinatorConfig {
  return quadraticCoordinator({
    rounds: 3,
    sites: tokens(["a"]),
    ...logsIn(dir),
    ...extra,
  });
}

describe("connections", { timeout: 120_000 }, () => {
  test("a second connection with a connected site's token is refused; the site trains on", async () => {
    const dir = tempDir("conn-refuse");
    try {
      const coordinator = forkCoordinator(coordinatorConfig(dir.path, {}), { stdio: "ignore" });
      const { port } = await coordinator.listening;
      const a = forkQuadraticSite(port, "a", 0, { stepDelayMs: 20 });
      const logFile = join(dir.path, "coordinator.log");
      await until("site a joined", () => jsonLines(logFile).some((l) => l.event === "site-joined"));
      const thief = openJoin(`${LOOPBACK}:${port}`);
      thief.hello("a", "token-a");
      const end = await thief.ended;
      thief.close();
      assert.equal(end.code, grpc.status.ALREADY_EXISTS);
      assert.match(
        end.details,
        /site "a" is already connected \(from .*\); this second connection is refused/,
      );
      assert.equal((await coordinator.finished)?.type, "done");
      assert.equal(await a.exit, 0);
      const log = jsonLines(logFile);
      assert.equal(log.filter((l) => l.event === "site-joined").length, 1, "never evicted");
      assert.ok(
        log.some(
          (l) => l.event === "site-refused" && l.level === "warn" && /already connected/.test(l.reason),
        ),
      );
    } finally {
      dir.remove();
    }
  });

  test('with duplicateConnection "replace" the newer connection wins', async () => {
    const dir = tempDir("conn-replace");
    try {
      const coordinator = forkCoordinator(coordinatorConfig(dir.path, { duplicateConnection: "replace" }), {
        stdio: "ignore",
      });
      const { port } = await coordinator.listening;
      const a = forkQuadraticSite(port, "a", 0, { stepDelayMs: 20 });
      const logFile = join(dir.path, "coordinator.log");
      await until("site a joined", () => jsonLines(logFile).some((l) => l.event === "site-joined"));
      const second = openJoin(`${LOOPBACK}:${port}`);
      second.hello("a", "token-a");
      await until("welcome", () => second.messages.some((m) => m.body.case === "welcome"));
      second.stream.cancel();
      second.close();
      assert.equal((await coordinator.finished)?.type, "done");
      assert.equal(await a.exit, 0);
      assert.ok(jsonLines(logFile).some((l) => l.event === "site-joined" && l.rejoined === true));
    } finally {
      dir.remove();
    }
  });

  test("segviz server on SIGHUP: a revoked site is dropped and refused, a new site joins, no restart", async () => {
    const dir = tempDir("conn-reload");
    try {
      const initial = await new QuadraticTestTrainer({ siteSeed: 1 }).initialWeights();
      const weightsFile = join(dir.path, "initial.safetensors");
      await writeSafetensorsFile(weightsFile, Object.fromEntries(initial));
      const port = await freePort();
      const configFile = join(dir.path, "coordinator.json");
      const roundLogFile = join(dir.path, "rounds.jsonl");
      const write = (sites: unknown[]) =>
        writeFileSync(
          configFile,
          JSON.stringify({
            host: LOOPBACK,
            port,
            rounds: 8,
            strategy: { name: "segviz" },
            sites,
            initialWeightsFile: weightsFile,
            minSitesToStart: 2,
            minSitesToClose: 1,
            roundLogFile,
            logFile: join(dir.path, "coordinator.log"),
          }),
        );
      write([
        { id: "a", token: "token-a" },
        { id: "b", token: "token-b" },
      ]);
      const server = spawn(process.execPath, [CLI, "server", "--config", configFile], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      let stdout = "";
      server.stderr.on("data", (d) => (stderr += d));
      server.stdout.on("data", (d) => (stdout += d));
      const serverExit = new Promise<number | null>((resolve) => server.on("close", resolve));
      await until("the server listening", () =>
        jsonLines(join(dir.path, "coordinator.log")).some((l) => l.event === "listening"),
      );
      const a = forkQuadraticSite(port, "a", 0, { stepDelayMs: 20 });
      const b = forkQuadraticSite(port, "b", 1, { stepDelayMs: 20 });
      const completed = () => jsonLines(roundLogFile).filter((r) => r.type === "round").length;
      await until("round 2", () => completed() >= 2);

      write([
        { id: "a", token: "token-a" },
        { id: "b", token: "token-b", revoked: true },
        { id: "c", token: "token-c" },
      ]);
      server.kill("SIGHUP");
      await until("the reload", () => /sites reloaded \(added: c; revoked: b; removed: none\)/.test(stderr));
      const reloadedAt = completed();
      const c = forkQuadraticSite(port, "c", 2, { stepDelayMs: 20 });

      assert.equal(await serverExit, 0, stderr);
      assert.match(stdout, /8 of 8 rounds completed/);
      assert.equal(await a.exit, 0);
      assert.equal(await c.exit, 0);
      assert.equal(await b.exit, 1, "a revoked site ends refused");
      assert.match(
        (await b.finished)?.type === "failed" ? ((await b.finished) as { error: string }).error : "",
        /site "b" is revoked/,
      );
      const rounds = jsonLines(roundLogFile).filter((r) => r.type === "round");
      const after = rounds.filter((r) => r.round > reloadedAt + 1);
      assert.ok(after.length > 0);
      for (const r of after)
        assert.ok(!r.accepted.includes("b"), `round ${r.round}: b accepted after revocation`);
      assert.ok(
        rounds.some((r) => r.accepted.includes("c")),
        "the new site trained",
      );
      const reloaded = jsonLines(join(dir.path, "coordinator.log")).find((l) => l.event === "sites-reloaded");
      assert.deepEqual(reloaded?.disconnected, ["b"]);
    } finally {
      dir.remove();
    }
  });
});
