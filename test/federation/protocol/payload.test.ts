import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  SiteMessageSchema,
  TaskResultSchema,
} from "../../../src/federation/protocol/generated/segviz/federation/v1/federation_pb.js";
import { PayloadAssembler, preparePayload } from "../../../src/federation/protocol/payload.js";

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

describe("chunked payloads", () => {
  test("split into chunks and reassembled, with the checksum verified", () => {
    const out = preparePayload(bytes, "p1", 256);
    assert.equal(out.chunks.length, 4);
    assert.equal(out.info.totalBytes, 1000n);
    const a = new PayloadAssembler(out.info, "test");
    for (const c of out.chunks) a.add(c);
    assert.deepEqual(a.finish(), bytes);
  });

  test("reassembled into a supplied buffer, which is the payload returned", () => {
    const out = preparePayload(bytes, "p1", 300);
    let asked = -1;
    const supplied = new Uint8Array(1000).fill(0xff);
    const a = new PayloadAssembler(out.info, "test", undefined, (n) => {
      asked = n;
      return supplied;
    });
    for (const c of out.chunks) a.add(c);
    assert.equal(asked, 1000);
    assert.equal(a.finish(), supplied);
    assert.deepEqual(supplied, bytes);
  });

  test("an empty payload is one empty chunk", () => {
    const out = preparePayload(new Uint8Array(0), "p0", 256);
    const a = new PayloadAssembler(out.info, "test");
    a.add(out.chunks[0]);
    assert.equal(a.finish().length, 0);
  });

  test("a flipped bit fails the checksum", () => {
    const out = preparePayload(bytes, "p1", 256);
    const a = new PayloadAssembler(out.info, "site x");
    out.chunks.forEach((c, i) => {
      a.add(i === 2 ? { ...c, data: c.data.map((v, j) => (j === 5 ? v ^ 1 : v)) } : c);
    });
    assert.throws(() => a.finish(), /payload from site x: sha256: checksum mismatch/);
  });

  test("out-of-order, foreign, excess and missing chunks are refused by field", () => {
    const out = preparePayload(bytes, "p1", 256);
    assert.throws(() => new PayloadAssembler(out.info, "s").add(out.chunks[1]), /chunk.index: 1, expected 0/);
    assert.throws(
      () => new PayloadAssembler(out.info, "s").add({ ...out.chunks[0], payloadId: "other" }),
      /chunk.payload_id/,
    );
    const big = new PayloadAssembler(out.info, "s");
    assert.throws(
      () => big.add({ ...out.chunks[0], data: new Uint8Array(2000) }),
      /chunk.data: more than the announced 1000 bytes/,
    );
    const short = new PayloadAssembler(out.info, "s");
    short.add(out.chunks[0]);
    assert.throws(() => short.finish(), /chunk_count: 1 of 4 chunks arrived/);
  });

  test("absurd headers are refused before anything is allocated", () => {
    const info = preparePayload(bytes, "p1").info;
    assert.throws(
      () => new PayloadAssembler({ ...info, totalBytes: 2n ** 60n }, "s"),
      /total_bytes: .* exceeds the cap/,
    );
    assert.throws(() => new PayloadAssembler({ ...info, sha256: new Uint8Array(3) }, "s"), /sha256: 3 bytes/);
    assert.throws(() => new PayloadAssembler({ ...info, chunkCount: 0 }, "s"), /chunk_count/);
  });

  test("generated message types round-trip through the wire format", () => {
    const m = create(SiteMessageSchema, {
      body: {
        case: "result",
        value: create(TaskResultSchema, { taskId: "t", round: 3, ok: true, metrics: { dice: 0.9 } }),
      },
    });
    const back = fromBinary(SiteMessageSchema, toBinary(SiteMessageSchema, m));
    assert.equal(back.body.case, "result");
    assert.equal(back.body.value?.round, 3);
    assert.equal((back.body.value as { metrics: Record<string, number> }).metrics.dice, 0.9);
  });
});
