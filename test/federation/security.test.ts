// Refusals: wrong token, unknown and revoked sites, a protocol version mismatch, and TLS with
// mutual authentication where a certificate from another CA never gets in.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import { PROTOCOL_VERSION } from "../../src/federation/protocol/version.js";
import { QUADRATIC_INITIAL_MODEL } from "../../src/federation/simulation/messages.js";
import { runSite, SiteRefusedError } from "../../src/federation/site/site-client.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import { clientCertificate, hasOpenssl, makeCa, serverCertificate } from "./helpers/certificates.js";
import { LOOPBACK, runInProcess, tempDir } from "./helpers/federation.js";

const trainer = () => new QuadraticTestTrainer({ siteSeed: 1 });

async function refusal(
  siteConfig: Record<string, unknown>,
  sites = [
    { id: "a", token: "secret-a" },
    { id: "gone", token: "x", revoked: true },
  ],
) {
  const log = new MemoryLogger();
  const handle = await startCoordinator(
    {
      host: LOOPBACK,
      port: 0,
      rounds: 1,
      strategy: { name: "fedavg" },
      sites,
      initialModel: QUADRATIC_INITIAL_MODEL,
    },
    log,
  );
  try {
    const error = await runSite(
      {
        siteId: "a",
        coordinator: `${LOOPBACK}:${handle.port}`,
        reconnect: { giveUpAfterMs: 2_000 },
        ...siteConfig,
      } as never,
      trainer(),
      new MemoryLogger(),
    ).then(
      () => assert.fail("the site was admitted"),
      (e: Error) => e,
    );
    assert.equal(handle.status().sites.length, 0, "no site was admitted");
    return { error, log };
  } finally {
    await handle.stop();
  }
}

describe("admission", { timeout: 30_000 }, () => {
  test("wrong token is refused with a clear reason, and logged", async () => {
    const { error, log } = await refusal({ token: "guess" });
    assert.ok(error instanceof SiteRefusedError);
    assert.match(error.message, /coordinator refused the site: wrong token for site "a"/);
    assert.ok(
      log.records.some((r) => r.event === "site-refused" && /wrong token/.test(String(r.fields.reason))),
    );
  });

  test("unknown and revoked sites are refused", async () => {
    const unknown = await refusal({ siteId: "intruder", token: "x" });
    assert.match(unknown.error.message, /unknown site "intruder"/);
    const revoked = await refusal({ siteId: "gone", token: "x" });
    assert.match(revoked.error.message, /site "gone" is revoked/);
  });

  test("a protocol version mismatch is refused with both versions named", async () => {
    const { error } = await refusal({ token: "secret-a", protocolVersion: 99 });
    assert.match(
      error.message,
      new RegExp(
        `protocol version mismatch: site "a" speaks version 99, this coordinator speaks version ${PROTOCOL_VERSION}`,
      ),
    );
  });
});

describe(
  "TLS and mutual TLS",
  { skip: hasOpenssl() ? false : "openssl not installed", timeout: 60_000 },
  () => {
    const dir = tempDir("pki");
    let pki: Record<string, { cert: string; key: string }>;
    before(() => {
      const ca = makeCa(dir.path, "federation-ca");
      const rogue = makeCa(dir.path, "rogue-ca");
      pki = {
        ca,
        server: serverCertificate(dir.path, ca),
        a: clientCertificate(dir.path, ca, "site-a"),
        b: clientCertificate(dir.path, ca, "site-b"),
        rogue: clientCertificate(dir.path, rogue, "site-b", "rogue-site-b"),
      };
    });
    after(() => dir.remove());

    const coordinatorTls = (requireClientCertificate: boolean) => ({
      certFile: pki.server.cert,
      keyFile: pki.server.key,
      clientCaFile: pki.ca.cert,
      requireClientCertificate,
    });

    test("TLS with per-site tokens completes a round", async () => {
      const { handle, siteRuns } = await runInProcess(
        { rounds: 1, strategy: { name: "segviz" }, minSitesToStart: 1, tls: coordinatorTls(false) },
        [{ id: "site-a", trainer: trainer(), config: { tls: { caFile: pki.ca.cert } } }],
      );
      assert.equal((await handle.done).completedRounds, 1);
      await Promise.all(siteRuns);
    });

    test("mutual TLS: sites identified by certificate; a certificate from another CA never gets in", async () => {
      const log = new MemoryLogger();
      const handle = await startCoordinator(
        {
          host: LOOPBACK,
          port: 0,
          rounds: 1,
          strategy: { name: "segviz" },
          sites: [{ id: "site-a" }, { id: "site-b" }],
          initialModel: QUADRATIC_INITIAL_MODEL,
          minSitesToStart: 1,
          tls: coordinatorTls(true),
          waitForSitesTimeoutMs: 20_000,
        },
        log,
      );
      const address = `${LOOPBACK}:${handle.port}`;
      const rogue = await runSite(
        {
          siteId: "site-b",
          coordinator: address,
          tls: { caFile: pki.ca.cert, certFile: pki.rogue.cert, keyFile: pki.rogue.key },
          reconnect: { initialDelayMs: 100, giveUpAfterMs: 1_000 },
        },
        trainer(),
        new MemoryLogger(),
      ).then(
        () => "admitted",
        (e: Error) => e.message,
      );
      assert.match(rogue, /no coordinator at .* for 1000 ms/);
      assert.equal(handle.status().sites.length, 0);
      // Site b's own certificate does not let it claim to be site a.
      const impostor = await runSite(
        {
          siteId: "site-a",
          coordinator: address,
          tls: { caFile: pki.ca.cert, certFile: pki.b.cert, keyFile: pki.b.key },
        },
        trainer(),
        new MemoryLogger(),
      ).then(
        () => "admitted",
        (e: Error) => e.message,
      );
      assert.match(impostor, /client certificate names "site-b", not site "site-a"/);
      const good = await runSite(
        {
          siteId: "site-a",
          coordinator: address,
          tls: { caFile: pki.ca.cert, certFile: pki.a.cert, keyFile: pki.a.key },
        },
        trainer(),
        new MemoryLogger(),
      );
      assert.equal(good.roundsTrained, 1);
      assert.equal((await handle.done).completedRounds, 1);
      assert.ok(!log.records.some((r) => r.event === "site-joined" && r.fields.site === "site-b"));
    });
  },
);
