// The coordinator's upload gate: at most `slots` uploads granted at once, in the order results
// were announced, slots freed on release; with a relative norm screen, outliers refused before
// they upload and doubtful norms held until every site has announced or left.

import assert from "node:assert/strict";
import { test } from "node:test";
import { UploadGate } from "../../src/federation/coordinator/upload-gate.js";
import { RelativeNormScreen } from "../../src/federation/security/relative-norm-screen.js";

function recorder() {
  const events: string[] = [];
  const request = (siteId: string, announcedNorm?: number) => ({
    siteId,
    announcedNorm,
    grant: () => events.push(`grant ${siteId}`),
    refuse: (reason: string) => events.push(`refuse ${siteId}: ${reason}`),
  });
  return { events, request };
}

test("upload gate: two slots, granted in announcement order, a release lets the next one in", () => {
  const { events, request } = recorder();
  const gate = new UploadGate(2);
  const keys = ["a", "b", "c", "d"].map((id) => ({ id }));
  for (const k of keys) gate.request(k, request(k.id));
  assert.deepEqual(events, ["grant a", "grant b"]);
  assert.equal(gate.inFlight, 2);
  gate.release(keys[2]); // c gave up while queued: it is never granted
  gate.release(keys[1]);
  assert.deepEqual(events, ["grant a", "grant b", "grant d"]);
  gate.release(keys[0]);
  gate.release(keys[3]);
  assert.equal(gate.inFlight, 0);
  gate.release(keys[3]); // releasing twice changes nothing
  assert.equal(gate.inFlight, 0);
  assert.throws(() => new UploadGate(0), /slots must be a positive integer/);
});

test("upload gate with a screen: safe norms go at once, an outlier waits for the last site and is refused", () => {
  const { events, request } = recorder();
  const gate = new UploadGate(4, new RelativeNormScreen(100, ["a", "b", "c", "x", "gone"]));
  gate.request({}, request("a", 1));
  gate.request({}, request("x", 1e6));
  assert.deepEqual(events, [], "two of five announced: the median could still be 0");
  gate.request({}, request("b", 2));
  gate.request({}, request("c", 1.5));
  // {1, 2, 1.5, 1e6} and one site out: the lowest median is 1.5, so a, b and c are safe.
  assert.deepEqual(events, ["grant a", "grant b", "grant c"]);
  gate.absent("gone");
  assert.deepEqual(events.slice(3), [
    "refuse x: update norm 1.000e+6 exceeds 100 x the round's median update norm 1.750",
  ]);
  const bare = recorder();
  const strict = new UploadGate(1, new RelativeNormScreen(100, ["a"]));
  strict.request({}, bare.request("a"));
  assert.match(bare.events[0], /^refuse a: result announced no valid update norm/);
});
