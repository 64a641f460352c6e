// The protobuf bytes of a message whose body is a weight chunk (field 3 of both SiteMessage and
// CoordinatorMessage), written directly: one allocation and one copy of the data, where the
// generic encoder grows its buffer by doubling (several copies of every megabyte). The bytes
// are those toBinary writes: fields in number order, proto3 defaults (empty id, index 0, no
// data) left out. Tests compare the two.

import type { WeightChunk } from "./generated/segviz/federation/v1/federation_pb.js";

const CHUNK_FIELD = 3;

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** Whether the fast path applies: a chunk with nothing the generated encoder would add. */
export function isPlainChunk(chunk: WeightChunk & { $unknown?: unknown[] }): boolean {
  return chunk.$unknown === undefined || chunk.$unknown.length === 0;
}

export function encodeChunkMessage(chunk: WeightChunk): Buffer {
  const id = Buffer.from(chunk.payloadId, "utf8");
  const data = chunk.data;
  let inner = 0;
  if (id.length > 0) inner += 1 + varintLength(id.length) + id.length;
  if (chunk.index !== 0) inner += 1 + varintLength(chunk.index);
  if (data.length > 0) inner += 1 + varintLength(data.length) + data.length;
  const out = Buffer.allocUnsafe(1 + varintLength(inner) + inner);
  let at = 0;
  out[at++] = (CHUNK_FIELD << 3) | 2;
  at = writeVarint(out, at, inner);
  if (id.length > 0) {
    out[at++] = (1 << 3) | 2;
    at = writeVarint(out, at, id.length);
    at += id.copy(out, at);
  }
  if (chunk.index !== 0) {
    out[at++] = 2 << 3;
    at = writeVarint(out, at, chunk.index);
  }
  if (data.length > 0) {
    out[at++] = (3 << 3) | 2;
    at = writeVarint(out, at, data.length);
    out.set(data, at);
    at += data.length;
  }
  return out;
}
