// The coordinator's dispatch tells when every site's task has been sent (the moment it makes
// memory ready for the round's end), once, whether the sends succeeded or failed.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { dispatch } from "../../src/federation/coordinator/round-runner.js";
import { SiteConnection } from "../../src/federation/coordinator/site-connection.js";
import { TaskKind } from "../../src/federation/protocol/generated/segviz/federation/v1/federation_pb.js";
import type { JoinServerStream } from "../../src/federation/protocol/service.js";

/** A site's stream that takes the coordinator's messages into `written` and never answers. */
function fakeStream(written: string[], siteId: string, failAfter = Number.POSITIVE_INFINITY) {
  let count = 0;
  const stream = new Writable({
    objectMode: true,
    write(message: { body: { case?: string } }, _encoding, callback) {
      if (++count > failAfter) {
        callback(new Error("connection reset"));
        return;
      }
      written.push(`${siteId} ${message.body.case}`);
      // Handed on later, as a socket would.
      setImmediate(callback);
    },
  });
  return Object.assign(stream, {
    resume: () => stream,
    getPeer: () => siteId,
  }) as unknown as JoinServerStream;
}

const describe = (siteId: string) => ({ siteId, organs: [], numTrainingCases: 1, resumedRound: 0 });
const task = (site: SiteConnection) => ({
  taskId: `t-${site.siteId}`,
  round: 1,
  kind: TaskKind.TRAIN,
  localEpochs: 1,
  proximalMu: 0,
  options: {},
});

test("dispatch: onAllSent fires once, after the last chunk to the last site, before any reply", async () => {
  const written: string[] = [];
  const sites = ["a", "b"].map((id) => new SiteConnection(describe(id), fakeStream(written, id)));
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const allSent: number[] = [];
  const settled = await dispatch(sites, task, payload, "p", 256, {
    timeoutMs: 200,
    onAllSent: () => allSent.push(written.length),
  });
  // Each site: the task, then 4 chunks of at most 256 bytes.
  assert.equal(written.length, 10);
  assert.deepEqual(allSent, [10]);
  assert.ok(settled.every((s) => s.timedOut));
});

test("dispatch: onAllSent fires when a send fails and when a site is already gone", async () => {
  const written: string[] = [];
  const failing = new SiteConnection(describe("f"), fakeStream(written, "f", 2));
  const gone = new SiteConnection(describe("g"), fakeStream(written, "g"));
  gone.end("replaced");
  let allSent = 0;
  const settled = await dispatch([failing, gone], task, new Uint8Array(1000), "p", 256, {
    timeoutMs: 5000,
    onAllSent: () => allSent++,
  });
  assert.equal(allSent, 1);
  assert.match(settled[0].error ?? "", /site f: sending task t-f failed: connection reset/);
  assert.match(settled[1].error ?? "", /site g disconnected: replaced/);
  let none = 0;
  await dispatch([], task, undefined, "p", undefined, { timeoutMs: 10, onAllSent: () => none++ });
  assert.equal(none, 1);
});
