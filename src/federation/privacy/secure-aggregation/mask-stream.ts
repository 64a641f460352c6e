// The pseudo-random masks: AES-256 in counter mode over zeros, keyed by a 32-byte seed, read as
// little-endian 32-bit ring elements. Equal seeds give equal streams on every machine (OpenSSL's
// AES-CTR), so two sites' opposite masks cancel exactly in the sum.

import { createCipheriv } from "node:crypto";
import { endianness } from "node:os";
import { addInto } from "./fixed-point.js";

const BLOCK_ELEMENTS = 1 << 18;

// Typed arrays use the machine's byte order; every platform Node supports today is little-endian.
if (endianness() !== "LE") throw new Error("secure aggregation needs a little-endian machine");

/** target += sign * PRG(seed)[0 .. target.length), mod 2^32. */
export function applyMask(target: Uint32Array, seed: Uint8Array, sign: 1 | -1): void {
  if (seed.length !== 32) throw new Error(`a mask seed has 32 bytes, not ${seed.length}`);
  const cipher = createCipheriv("aes-256-ctr", seed, Buffer.alloc(16));
  const zeros = Buffer.alloc(BLOCK_ELEMENTS * 4);
  const words = new Uint32Array(BLOCK_ELEMENTS);
  const wordBytes = new Uint8Array(words.buffer);
  for (let start = 0; start < target.length; start += BLOCK_ELEMENTS) {
    const n = Math.min(BLOCK_ELEMENTS, target.length - start);
    wordBytes.set(cipher.update(zeros.subarray(0, n * 4)));
    addInto(target.subarray(start, start + n), words.subarray(0, n), sign);
  }
}
