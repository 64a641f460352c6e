// Weights travel as one safetensors payload, announced by a header (size, SHA-256, chunk count)
// and streamed as chunks. The receiver checks every claim against what actually arrives and
// verifies the checksum before anything is decoded.

import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type ByteAllocator, newZeroedBytes } from "../../util/byte-allocator.js";
import {
  type PayloadInfo,
  PayloadInfoSchema,
  type WeightChunk,
  WeightChunkSchema,
} from "./generated/segviz/federation/v1/federation_pb.js";

const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** The largest weight chunk either side sends: the coordinator receives no larger message. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/** Payloads larger than this are refused from the header alone. */
const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024 * 1024;

class PayloadError extends Error {
  constructor(source: string, field: string, problem: string) {
    super(`payload from ${source}: ${field}: ${problem}`);
    this.name = "PayloadError";
  }
}

export interface OutgoingPayload {
  info: PayloadInfo;
  chunks: WeightChunk[];
}

export function preparePayload(
  bytes: Uint8Array,
  payloadId: string,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): OutgoingPayload {
  if (!(chunkBytes >= 1 && chunkBytes <= MAX_CHUNK_BYTES))
    throw new Error(`chunkBytes ${chunkBytes} is not in 1..${MAX_CHUNK_BYTES}`);
  const sha256 = createHash("sha256").update(bytes).digest();
  const chunks: WeightChunk[] = [];
  for (let at = 0, index = 0; at < bytes.length || index === 0; at += chunkBytes, index++) {
    chunks.push(create(WeightChunkSchema, { payloadId, index, data: bytes.subarray(at, at + chunkBytes) }));
  }
  const info = create(PayloadInfoSchema, {
    payloadId,
    totalBytes: BigInt(bytes.length),
    sha256: new Uint8Array(sha256),
    chunkCount: chunks.length,
  });
  return { info, chunks };
}

export class PayloadAssembler {
  /** Allocated at the first chunk (not at the header: an announcement alone costs no memory). */
  private bytes?: Uint8Array;
  private chunks = 0;
  private received = 0;
  /** Hashed as chunks arrive, so the check at the end costs no second pass over the payload. */
  private readonly hash = createHash("sha256");
  private digest?: Buffer;
  private readonly total: number;

  constructor(
    readonly info: PayloadInfo,
    private readonly source: string,
    maxBytes = DEFAULT_MAX_PAYLOAD_BYTES,
    /** Supplies the payload's zeroed bytes at the first chunk (a buffer made ready ahead). */
    private readonly allocate: ByteAllocator = newZeroedBytes,
  ) {
    if (info.payloadId.length === 0 || info.payloadId.length > 200)
      this.fail("payload_id", "empty or too long");
    if (info.totalBytes > BigInt(maxBytes))
      this.fail("total_bytes", `${info.totalBytes} bytes exceeds the cap of ${maxBytes}`);
    if (info.sha256.length !== 32) this.fail("sha256", `${info.sha256.length} bytes, expected 32`);
    this.total = Number(info.totalBytes);
    if (info.chunkCount === 0 || info.chunkCount > this.total + 1) {
      this.fail("chunk_count", `${info.chunkCount} chunks cannot carry ${this.total} bytes`);
    }
  }

  private fail(field: string, problem: string): never {
    throw new PayloadError(this.source, field, problem);
  }

  get complete(): boolean {
    return this.chunks === this.info.chunkCount;
  }

  add(chunk: WeightChunk): void {
    if (chunk.payloadId !== this.info.payloadId) {
      this.fail("chunk.payload_id", `${JSON.stringify(chunk.payloadId)} is not the announced payload`);
    }
    if (chunk.index !== this.chunks) this.fail("chunk.index", `${chunk.index}, expected ${this.chunks}`);
    if (this.complete) this.fail("chunk.index", "more chunks than announced");
    if (this.received + chunk.data.length > this.total) {
      this.fail("chunk.data", `more than the announced ${this.total} bytes`);
    }
    // Copied into place as it arrives: the whole payload is ready when the last chunk is.
    this.bytes ??= this.allocate(this.total);
    this.bytes.set(chunk.data, this.received);
    this.hash.update(chunk.data);
    this.received += chunk.data.length;
    this.chunks++;
  }

  /** The verified payload; throws when it is short or its SHA-256 differs. */
  finish(): Uint8Array {
    if (!this.complete) this.fail("chunk_count", `${this.chunks} of ${this.info.chunkCount} chunks arrived`);
    if (this.received !== this.total)
      this.fail("total_bytes", `${this.received} bytes arrived, ${this.total} announced`);
    this.digest ??= this.hash.digest();
    const digest = this.digest;
    if (!digest.equals(Buffer.from(this.info.sha256)))
      this.fail("sha256", "checksum mismatch: the payload was corrupted");
    return this.bytes ?? new Uint8Array(0);
  }
}
