// `segviz simulate` end to end: the CLI forks a coordinator and two site processes (liver and
// spleen phantom sites, real UNet trainer) that federate over loopback for 2 rounds; plus the
// config errors of server, client and simulate, which name the field.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadCheckpoint } from "../../../src/federation/coordinator/checkpoint.js";
import { freePort, segviz } from "../../helpers/processes.js";
import { tinySiteConfig, writeTinyFederation } from "./phantom-sites.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-simulate-"));
const fed = join(dir, "fed");
after(() => rmSync(dir, { recursive: true, force: true }));

/** What a coordinator of tiny liver sites starts from: their UNet, their head, their seed. */
const tinyInitialModel = (organ = "liver") => {
  const site = tinySiteConfig(fed, organ, join(dir, "unused"));
  return { model: site.model, heads: site.heads, seed: (site.training as { seed: number }).seed };
};

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

describe("segviz simulate / server / client", { timeout: 120_000 }, () => {
  before(async () => writeTinyFederation(fed));

  test("simulate: 2 rounds of SegViz on liver and spleen phantom sites, as processes", async () => {
    const roundLogFile = join(dir, "rounds.jsonl");
    const checkpointDir = join(dir, "checkpoints");
    writeJson("liver.json", tinySiteConfig(fed, "liver", join(dir, "out-liver")));
    const config = writeJson("federation.json", {
      coordinator: {
        rounds: 2,
        strategy: { name: "segviz", localEpochs: 1 },
        minSitesToStart: 2,
        evaluateEvery: 2,
        roundLogFile,
        checkpointDir,
      },
      sites: [
        { site: join(dir, "liver.json"), stateDir: join(dir, "state-liver") },
        { site: tinySiteConfig(fed, "spleen", join(dir, "out-spleen")), stateDir: join(dir, "state-spleen") },
      ],
      threadsPerSite: 2,
    });
    const r = await segviz(["simulate", "--config", config, "--quiet"]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /2 of 2 rounds completed/);
    assert.match(r.stdout, /site liver: exit 0, 2 rounds trained/);
    assert.match(r.stdout, /site spleen: exit 0, 2 rounds trained/);

    const log = readFileSync(roundLogFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const rounds = log.filter((l) => l.type === "round");
    assert.deepEqual(
      rounds.map((l) => [l.round, l.status, [...l.accepted].sort()]),
      [
        [1, "completed", ["liver", "spleen"]],
        [2, "completed", ["liver", "spleen"]],
      ],
    );
    for (const l of log.filter((l) => l.type === "site-round")) {
      assert.equal(l.status, "accepted");
      assert.ok(Number.isFinite(l.metrics.loss) && l.bytesIn > 0 && l.bytesOut > 0);
    }
    // Validation Dice of the final global body with each site's own head.
    assert.deepEqual(Object.keys(rounds[1].evaluation).sort(), ["liver", "spleen"]);
    assert.ok("dice.liver" in rounds[1].evaluation.liver && "meanDice" in rounds[1].evaluation.spleen);

    // The coordinator's checkpoint holds the body only: no head ever left its site.
    const checkpoint = loadCheckpoint(checkpointDir)!;
    assert.equal(checkpoint.round, 2);
    const names = [...checkpoint.global.keys()];
    assert.ok(names.length > 0 && names.every((n) => /^model\.[01]\./.test(n)), names.join(", "));
  });

  test("server and client as separate commands; server --resume continues after the checkpoint", async () => {
    const port = await freePort();
    const checkpointDir = join(dir, "server-checkpoints");
    writeFileSync(join(dir, "liver.token"), "secret-liver\n");
    const coordinator = (rounds: number) =>
      writeJson("coordinator.json", {
        port,
        rounds,
        strategy: { name: "segviz" },
        sites: [{ id: "liver", token: "secret-liver" }],
        initialModel: tinyInitialModel(),
        checkpointDir,
        roundLogFile: join(dir, "server-rounds.jsonl"),
      });
    const client = writeJson("client.json", {
      site: tinySiteConfig(fed, "liver", join(dir, "client-liver")),
      coordinator: `127.0.0.1:${port}`,
      tokenFile: join(dir, "liver.token"),
      stateDir: join(dir, "client-state"),
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    let [server, site] = await Promise.all([
      segviz(["server", "--config", coordinator(1)]),
      segviz(["client", "--config", client]),
    ]);
    assert.equal(server.code, 0, server.stderr);
    assert.equal(site.code, 0, site.stderr);
    assert.match(server.stdout, /1 of 1 rounds completed/);
    assert.match(site.stdout, /site liver: trained 1 rounds \(last round 1\)/);
    [server, site] = await Promise.all([
      segviz(["server", "--config", coordinator(2), "--resume"]),
      segviz(["client", "--config", client]),
    ]);
    assert.equal(server.code, 0, server.stderr);
    assert.match(server.stdout, /2 of 2 rounds completed/);
    assert.match(site.stdout, /trained 1 rounds \(last round 2\)/);
    assert.equal(loadCheckpoint(checkpointDir)!.round, 2);
  });

  test("config errors name the file and the field", async () => {
    const bad = writeJson("bad-federation.json", {
      coordinator: { rounds: 0, strategy: { name: "fedmagic" } },
      sites: [{ site: { ...tinySiteConfig(fed, "liver", join(dir, "x")), training: { lr: -1 } } }],
    });
    let r = await segviz(["simulate", "--config", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad-federation\.json: invalid config/);
    assert.match(r.stderr, /\/coordinator\/rounds: must be >= 1/);
    assert.match(r.stderr, /\/coordinator\/strategy\/name: must be one of fedavg/);

    const badSite = writeJson("bad-site.json", {
      coordinator: { rounds: 1, strategy: { name: "segviz" } },
      sites: [{ site: { ...tinySiteConfig(fed, "liver", join(dir, "x")), training: { lr: -1 } } }],
    });
    r = await segviz(["simulate", "--config", badSite]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /bad-site\.json: \/sites\/0\/site: invalid config:\n\s+\/training\/lr: must be > 0/,
    );

    const server = writeJson("coordinator.json", {
      rounds: 1,
      strategy: { name: "segviz" },
      sites: [{ id: "liver" }],
      checkpointDir: join(dir, "c2"),
    });
    r = await segviz(["server", "--config", server]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/sites\/0: needs token or tokenSha256/);

    // The coordinator starts from its own weights: without a model or a weights file it has none.
    const noStart = writeJson("no-start.json", {
      rounds: 1,
      strategy: { name: "segviz" },
      sites: [{ id: "liver", token: "t" }],
    });
    r = await segviz(["server", "--config", noStart]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /no-start\.json: invalid config:\n\s+\/initialModel: required \(or initialWeightsFile\)/,
    );
    const badStrides = writeJson("bad-strides.json", {
      rounds: 1,
      strategy: { name: "segviz" },
      sites: [{ id: "liver", token: "t" }],
      initialModel: { ...tinyInitialModel(), model: { channels: [4, 8, 16], strides: [2] } },
    });
    r = await segviz(["server", "--config", badStrides]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /bad-strides\.json: invalid config:\n\s+\/initialModel\/model\/strides: needs 2 entries/,
    );
    const mixed = writeJson("mixed-models.json", {
      coordinator: { rounds: 1, strategy: { name: "segviz" } },
      sites: [
        { site: tinySiteConfig(fed, "liver", join(dir, "x")) },
        {
          site: {
            ...tinySiteConfig(fed, "spleen", join(dir, "y")),
            model: { channels: [4, 8, 32], strides: [2, 2], numResUnits: 1 },
          },
        },
      ],
    });
    r = await segviz(["simulate", "--config", mixed]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /mixed-models\.json: invalid config:\n\s+\/sites: site spleen's model differs from site liver's/,
    );

    const client = writeJson("client.json", { site: join(dir, "nope.json"), coordinator: "localhost" });
    r = await segviz(["client", "--config", client]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /client\.json: invalid config:\n\s+\/coordinator: must match pattern/);
  });
  test("a coordinator whose status port is taken exits non-zero, naming the port, and frees its gRPC port", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const statusPort = (taken.address() as { port: number }).port;
    const grpcPort = await freePort();
    try {
      const config = writeJson("status-taken.json", {
        rounds: 1,
        strategy: { name: "segviz" },
        sites: [{ id: "liver", token: "t" }],
        initialModel: tinyInitialModel(),
        host: "127.0.0.1",
        port: grpcPort,
        status: { port: statusPort },
      });
      const r = await segviz(["server", "--config", config]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(`cannot listen for status on 127\\.0\\.0\\.1:${statusPort}: .*EADDRINUSE`),
      );
      // The gRPC port it had bound is free again.
      const again = createServer();
      await new Promise<void>((resolve, reject) => {
        again.once("error", reject);
        again.listen(grpcPort, "127.0.0.1", () => resolve());
      });
      again.close();
    } finally {
      taken.close();
    }
  });
});
