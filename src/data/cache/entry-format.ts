// The on-disk form of a cached case: a few named volumes in one file, checksummed so a torn or
// corrupted file is detected rather than trained on.
//
//   "SVZCACHE" (8 bytes) | header length (uint32 LE) | header JSON (utf8) | payload
//
// The header lists each volume's name, dtype, shape, affine, byte offset and length in the payload,
// the payload's sha256, and the cache key the file was written for.

import { createHash } from "node:crypto";
import type { Volume, VoxelArray, VoxelDtype } from "../volume.js";

const MAGIC = Buffer.from("SVZCACHE", "ascii");

interface EntryHeader {
  key: string;
  sha256: string;
  items: {
    name: string;
    dtype: VoxelDtype;
    shape: number[];
    affine: number[][];
    offset: number;
    bytes: number;
  }[];
}

const ARRAY_OF: Record<VoxelDtype, new (b: ArrayBuffer, o: number, n: number) => VoxelArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
};

function alignUp(n: number): number {
  return (n + 7) & ~7;
}

/** The file bytes for a set of volumes (little-endian, as this process stores them). */
export function encodeEntry(key: string, volumes: Record<string, Volume>): Buffer[] {
  const items: EntryHeader["items"] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, v] of Object.entries(volumes)) {
    const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
    items.push({ name, dtype: v.dtype, shape: v.shape, affine: v.affine, offset, bytes: bytes.length });
    chunks.push(bytes);
    const padded = alignUp(bytes.length);
    if (padded > bytes.length) chunks.push(Buffer.alloc(padded - bytes.length));
    offset += padded;
  }
  const sha = createHash("sha256");
  for (const c of chunks) sha.update(c);
  const header = Buffer.from(
    JSON.stringify({ key, sha256: sha.digest("hex"), items } satisfies EntryHeader),
    "utf8",
  );
  // Pad the header so the payload starts 8-byte aligned (typed arrays over it need alignment).
  const headerPadded = Buffer.alloc(alignUp(MAGIC.length + 4 + header.length) - MAGIC.length - 4, 0x20);
  header.copy(headerPadded);
  const lead = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(lead);
  lead.writeUInt32LE(headerPadded.length, MAGIC.length);
  return [lead, headerPadded, ...chunks];
}

/** Volumes from file bytes; throws a plain Error saying what is wrong when the bytes are not a valid entry. */
export function decodeEntry(file: Buffer, expectedKey?: string): Record<string, Volume> {
  if (file.length < MAGIC.length + 4 || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error("not a cache entry (bad magic)");
  }
  const headerLength = file.readUInt32LE(MAGIC.length);
  const payloadStart = MAGIC.length + 4 + headerLength;
  if (payloadStart > file.length) throw new Error("truncated header");
  let header: EntryHeader;
  try {
    header = JSON.parse(file.subarray(MAGIC.length + 4, payloadStart).toString("utf8"));
  } catch {
    throw new Error("unreadable header");
  }
  if (expectedKey !== undefined && header.key !== expectedKey) throw new Error("written for another key");
  const payload = file.subarray(payloadStart);
  if (createHash("sha256").update(payload).digest("hex") !== header.sha256) {
    throw new Error("payload checksum mismatch (corrupt or truncated)");
  }
  // Own, aligned memory per volume, so volumes can be transferred to or from workers one by one.
  const out: Record<string, Volume> = {};
  for (const it of header.items) {
    const Ctor = ARRAY_OF[it.dtype];
    if (Ctor === undefined || it.offset + it.bytes > payload.length) throw new Error(`bad item ${it.name}`);
    const copy = new ArrayBuffer(it.bytes);
    new Uint8Array(copy).set(payload.subarray(it.offset, it.offset + it.bytes));
    const data = new Ctor(
      copy,
      0,
      it.bytes / (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT,
    );
    out[it.name] = { shape: it.shape, dtype: it.dtype, data, affine: it.affine };
  }
  return out;
}
