// A short fingerprint of a weight set (names, dtypes, shapes and bytes, in name order), small
// enough to travel as a metric: two sites that report the same digest for the shared tensors they
// loaded provably started the round from the same shared weights.
import { createHash } from "node:crypto";
import type { WeightSet } from "./weight-set.js";

/** The first 48 bits of a SHA-256 over the set, as an exact integer (a JS number). */
export function weightSetDigest(weights: WeightSet): number {
  const hash = createHash("sha256");
  for (const name of [...weights.keys()].sort()) {
    const t = weights.get(name)!;
    hash.update(`${name}\0${t.dtype}\0${t.shape.join(",")}\0`);
    const data = t.data as ArrayBufferView;
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return Number.parseInt(hash.digest("hex").slice(0, 12), 16);
}
