// Limits tied to the model (issue 12), against a coordinator process on loopback and scripted
// clients speaking the generated protocol: an upload larger than the shared set plus a margin is
// refused from its header while honest sites finish; a hello is small; a message larger than a
// chunk never gets in; connections that do not authenticate are capped and timed out; a site
// streaming stray chunks gets a few log lines, not one per chunk.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { CoordinatorConfig } from "../../src/federation/coordinator/config.js";
import { WeightChunkSchema } from "../../src/federation/protocol/generated/segviz/federation/v1/federation_pb.js";
import { siteMessage } from "../../src/federation/protocol/service.js";
import { forkCoordinator } from "../../src/federation/simulation/processes.js";
import { jsonLines } from "../helpers/processes.js";
import {
  forkQuadraticSite,
  LOOPBACK,
  logsIn,
  quadraticCoordinator,
  tempDir,
  tokens,
} from "./helpers/federation.js";
import { openJoin, runOversizeSite } from "./helpers/hostile-site.js";

function coordinatorConfig(dir: string, extra: Partial<CoordinatorConfig>): CoordinatorConfig {
  return quadraticCoordinator({
    rounds: 2,
    sites: tokens(["a", "b", "z"]),
    ...logsIn(dir),
    ...extra,
  });
}

describe("limits tied to the model", { timeout: 120_000 }, () => {
  test("an upload announcing more than the shared set plus a margin is refused from its header; honest sites finish", async () => {
    const dir = tempDir("limits-upload");
    try {
      const coordinator = forkCoordinator(
        coordinatorConfig(dir.path, { minSitesToStart: 3, minSitesToClose: 2 }),
        { stdio: "ignore" },
      );
      const { port } = await coordinator.listening;
      const hostile = runOversizeSite(`${LOOPBACK}:${port}`, "z", "token-z", 10 * 1024 * 1024);
      const sites = ["a", "b"].map((id, k) => forkQuadraticSite(port, id, k));
      assert.equal((await coordinator.finished)?.type, "done");
      for (const s of sites) assert.equal(await s.exit, 0);
      hostile.close();
      const z = jsonLines(join(dir.path, "rounds.jsonl")).filter(
        (r) => r.type === "site-round" && r.site === "z",
      );
      assert.equal(z.length, 2);
      for (const r of z) {
        assert.equal(r.status, "rejected");
        assert.match(r.reason, /payload from site z: total_bytes: \d+ bytes exceeds the cap of \d+/);
        const [announced, cap] = /(\d+) bytes exceeds the cap of (\d+)/.exec(r.reason)!.slice(1).map(Number);
        // The cap is the model's size plus a margin: far below what was announced.
        assert.ok(cap < 200 * 1024 && announced - cap > 9 * 1024 * 1024, r.reason);
      }
    } finally {
      dir.remove();
    }
  });

  test("a hello is at most 4 KiB; a message larger than a chunk is refused by the server; the federation goes on", async () => {
    const dir = tempDir("limits-hello");
    try {
      const coordinator = forkCoordinator(coordinatorConfig(dir.path, { rounds: 1, sites: tokens(["a"]) }), {
        stdio: "ignore",
      });
      const { port } = await coordinator.listening;
      const big = openJoin(`${LOOPBACK}:${port}`);
      big.hello("a", "x".repeat(8 * 1024));
      const bigEnd = await big.ended;
      assert.equal(bigEnd.code, grpc.status.INVALID_ARGUMENT);
      assert.match(bigEnd.details, /first message is \d+ bytes; a hello is at most 4096/);
      big.close();

      const huge = openJoin(`${LOOPBACK}:${port}`);
      huge.stream.write(
        siteMessage({
          case: "chunk",
          value: create(WeightChunkSchema, { data: new Uint8Array(6 * 1024 * 1024) }),
        }),
      );
      const hugeEnd = await huge.ended;
      assert.equal(hugeEnd.code, grpc.status.RESOURCE_EXHAUSTED, hugeEnd.details);
      huge.close();

      const site = forkQuadraticSite(port, "a", 0);
      assert.equal((await coordinator.finished)?.type, "done");
      assert.equal(await site.exit, 0);
    } finally {
      dir.remove();
    }
  });

  test("unauthenticated connections are capped and timed out; then an honest site joins and trains", async () => {
    const dir = tempDir("limits-cap");
    try {
      const coordinator = forkCoordinator(
        coordinatorConfig(dir.path, {
          rounds: 1,
          sites: tokens(["a"]),
          maxUnauthenticatedConnections: 4,
          helloTimeoutMs: 1500,
        }),
        { stdio: "ignore" },
      );
      const { port } = await coordinator.listening;
      const silent = Array.from({ length: 4 }, () => openJoin(`${LOOPBACK}:${port}`));
      await new Promise((r) => setTimeout(r, 300)); // the four are waiting for their hello
      const over = Array.from({ length: 3 }, () => openJoin(`${LOOPBACK}:${port}`));
      for (const o of over) {
        const end = await o.ended;
        assert.equal(end.code, grpc.status.RESOURCE_EXHAUSTED);
        assert.match(end.details, /4 connections are already waiting to authenticate/);
        o.close();
      }
      for (const s of silent) {
        const end = await s.ended;
        assert.equal(end.code, grpc.status.DEADLINE_EXCEEDED);
        assert.match(end.details, /no hello within 1500 ms/);
        s.close();
      }
      const site = forkQuadraticSite(port, "a", 0);
      assert.equal((await coordinator.finished)?.type, "done");
      assert.equal(await site.exit, 0);
      const log = jsonLines(join(dir.path, "coordinator.log"));
      assert.equal(log.filter((l) => l.event === "connection-refused").length, 1, "one line for the flood");
    } finally {
      dir.remove();
    }
  });

  test("stray chunks from a site: a few log lines and a count, not one line per chunk", async () => {
    const dir = tempDir("limits-strays");
    try {
      const coordinator = forkCoordinator(
        coordinatorConfig(dir.path, {
          rounds: 1,
          sites: tokens(["a", "z"]),
          minSitesToStart: 2,
          minSitesToClose: 1,
        }),
        { stdio: "ignore" },
      );
      const { port } = await coordinator.listening;
      // The honest site first, so the round starts the moment the noisy one has joined.
      const site = forkQuadraticSite(port, "a", 0);
      const logFile = join(dir.path, "coordinator.log");
      while (!jsonLines(logFile).some((l) => l.event === "site-joined" && l.site === "a"))
        await new Promise((r) => setTimeout(r, 50));
      const noisy = openJoin(`${LOOPBACK}:${port}`);
      noisy.hello("z", "token-z");
      for (let i = 0; i < 500; i++)
        noisy.stream.write(
          siteMessage({
            case: "chunk",
            value: create(WeightChunkSchema, { payloadId: `junk-${i}`, data: new Uint8Array(1024) }),
          }),
        );
      await new Promise((r) => setTimeout(r, 500));
      noisy.stream.cancel();
      noisy.close();
      assert.equal((await coordinator.finished)?.type, "done");
      assert.equal(await site.exit, 0);
      const log = jsonLines(join(dir.path, "coordinator.log"));
      const strays = log.filter((l) => l.event === "stray-message" && l.site === "z");
      assert.equal(strays.length, 5);
      const suppressed = log.find((l) => l.event === "stray-message-suppressed" && l.key === "z");
      assert.equal(suppressed?.count, 495, JSON.stringify(suppressed));
    } finally {
      dir.remove();
    }
  });
});
