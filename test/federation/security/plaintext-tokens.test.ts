// Tokens without TLS: a coordinator on loopback warns at start; on any other address it refuses to
// start unless allowInsecure is set, and then still warns.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startCoordinator } from "../../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../../src/federation/logging/json-logger.js";
import { QUADRATIC_INITIAL_MODEL } from "../../../src/federation/simulation/messages.js";

const config = (host: string, extra: Record<string, unknown> = {}) => ({
  host,
  port: 0,
  rounds: 1,
  strategy: { name: "segviz" as const },
  sites: [{ id: "liver", token: "secret" }],
  initialModel: QUADRATIC_INITIAL_MODEL,
  ...extra,
});

test("a coordinator without TLS on a network address refuses to start, naming the address", async () => {
  const log = new MemoryLogger();
  await assert.rejects(
    startCoordinator(config("0.0.0.0"), log),
    /TLS is off and 0\.0\.0\.0 is not a loopback address: the sites' tokens would cross the network in plaintext; configure tls, or set allowInsecure: true/,
  );
});

for (const [host, extra, why] of [
  ["127.0.0.1", {}, /tokens cross loopback in plaintext/],
  ["0.0.0.0", { allowInsecure: true }, /allowInsecure is set: tokens cross the network in plaintext/],
] as const) {
  test(`without TLS on ${host}${"allowInsecure" in extra ? " with allowInsecure" : ""}: starts and warns`, async () => {
    const log = new MemoryLogger();
    const handle = await startCoordinator(config(host, extra), log);
    try {
      const warning = log.records.find((r) => r.event === "plaintext-tokens");
      assert.equal(warning?.level, "warn");
      assert.match(String(warning?.fields.reason), why);
    } finally {
      await handle.stop();
      await handle.done.catch(() => {});
    }
  });
}
