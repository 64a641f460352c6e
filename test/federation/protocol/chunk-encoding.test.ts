// The hand-written chunk encoding against the generated protobuf encoder: the same bytes for
// both message directions, with the proto3 defaults (empty id, index 0, empty data) that the
// generated encoder leaves out, and the generated decoder reads them back.

import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { encodeChunkMessage } from "../../../src/federation/protocol/chunk-encoding.js";
import {
  CoordinatorMessageSchema,
  SiteMessageSchema,
  WeightChunkSchema,
} from "../../../src/federation/protocol/generated/segviz/federation/v1/federation_pb.js";

const cases = [
  { payloadId: "run-1-global-r3-a1", index: 7, data: Uint8Array.from({ length: 300_000 }, (_, i) => i * 31) },
  { payloadId: "p", index: 0, data: new Uint8Array([1, 2, 3]) },
  { payloadId: "", index: 2 ** 31 + 5, data: new Uint8Array(0) },
  { payloadId: "é-ünicode-名", index: 128, data: new Uint8Array(127) },
];

test("chunk messages encode to the generated encoder's bytes, both directions", () => {
  for (const c of cases) {
    const chunk = create(WeightChunkSchema, c);
    const fast = encodeChunkMessage(chunk);
    const site = toBinary(
      SiteMessageSchema,
      create(SiteMessageSchema, { body: { case: "chunk", value: chunk } }),
    );
    const coordinator = toBinary(
      CoordinatorMessageSchema,
      create(CoordinatorMessageSchema, { body: { case: "chunk", value: chunk } }),
    );
    assert.deepEqual(new Uint8Array(fast), site, `site message, index ${c.index}`);
    assert.deepEqual(new Uint8Array(fast), coordinator, `coordinator message, index ${c.index}`);
    const back = fromBinary(SiteMessageSchema, new Uint8Array(fast));
    assert.equal(back.body.case, "chunk");
    assert.deepEqual(back.body.value, chunk);
  }
});
