// What each secure-aggregation stage carries, as named tensors in the federation's usual
// safetensors payloads, and the checks either side applies to what it receives. Site ids never
// contain "/", so "<site>/c" and "to/<site>" cannot collide.

import type { NamedTensorData } from "../../../nn/safetensors/index.js";
import type { WeightSet } from "../../weights/weight-set.js";

/** Task option keys of a secure-aggregation round. */
export const OPTION = {
  session: "secagg.session",
  threshold: "secagg.threshold",
  bits: "secagg.bits",
  clipRange: "secagg.clipRange",
  /** JSON array of the member sites a stage works with. */
  sites: "secagg.sites",
  /** The site's pre-scaling weight for weighted FedAvg. */
  weight: "secagg.weight",
} as const;

export const KEY_BYTES = 32;
/** Largest sealed share accepted: nonce, two Shamir shares of 33 bytes, tag, and slack. */
export const MAX_SEALED_SHARE = 256;

export function bytesTensor(bytes: Uint8Array): NamedTensorData {
  return { dtype: "uint8", shape: [bytes.length], data: new Uint8Array(bytes) };
}

/** The uint8 tensor `name` of a received payload, of exactly `length` bytes or at most `max`. */
export function readBytes(
  set: WeightSet,
  name: string,
  what: string,
  size: { length?: number; max?: number },
): Uint8Array {
  const t = set.get(name);
  if (t === undefined) throw new Error(`${what}: missing ${name}`);
  if (t.dtype !== "uint8" || t.shape.length !== 1) throw new Error(`${what}: ${name} must be a uint8 vector`);
  const n = t.data.length;
  if (size.length !== undefined && n !== size.length)
    throw new Error(`${what}: ${name} has ${n} bytes, not ${size.length}`);
  if (size.max !== undefined && n > size.max)
    throw new Error(`${what}: ${name} has ${n} bytes, more than ${size.max}`);
  return t.data as Uint8Array;
}

/** Refuses a payload holding any name outside `expected` (nothing unannounced is carried along). */
export function onlyNames(set: WeightSet, expected: Iterable<string>, what: string): void {
  const allowed = new Set(expected);
  for (const name of set.keys())
    if (!allowed.has(name)) throw new Error(`${what}: unexpected tensor ${name}`);
}

/** One member's public keys and commitment, as advertised. */
export interface MemberKeys {
  /** X25519 key for sealing shares. */
  c: Uint8Array;
  /** X25519 key for pairwise masks. */
  s: Uint8Array;
  /** SHA-256 of the session and the member's self-mask seed. */
  commitment: Uint8Array;
}

export function advertNames(): string[] {
  return ["c", "s", "b-commitment"];
}

export function readAdvert(set: WeightSet, what: string): MemberKeys {
  onlyNames(set, advertNames(), what);
  return {
    c: readBytes(set, "c", what, { length: KEY_BYTES }),
    s: readBytes(set, "s", what, { length: KEY_BYTES }),
    commitment: readBytes(set, "b-commitment", what, { length: KEY_BYTES }),
  };
}

export function encodeMemberKeys(members: Map<string, MemberKeys>): WeightSet {
  const out: WeightSet = new Map();
  for (const [id, k] of members) {
    out.set(`${id}/c`, bytesTensor(k.c));
    out.set(`${id}/s`, bytesTensor(k.s));
    out.set(`${id}/b-commitment`, bytesTensor(k.commitment));
  }
  return out;
}

export function decodeMemberKeys(set: WeightSet, what: string): Map<string, MemberKeys> {
  const ids = [...new Set([...set.keys()].map((n) => n.slice(0, n.lastIndexOf("/"))))].sort();
  const members = new Map<string, MemberKeys>();
  for (const id of ids)
    members.set(id, {
      c: readBytes(set, `${id}/c`, what, { length: KEY_BYTES }),
      s: readBytes(set, `${id}/s`, what, { length: KEY_BYTES }),
      commitment: readBytes(set, `${id}/b-commitment`, what, { length: KEY_BYTES }),
    });
  onlyNames(
    set,
    ids.flatMap((id) => [`${id}/c`, `${id}/s`, `${id}/b-commitment`]),
    what,
  );
  return members;
}

/** The site list of a stage's options, checked. */
export function readSites(options: Record<string, string>, what: string): string[] {
  const raw = options[OPTION.sites];
  if (raw === undefined) throw new Error(`${what}: option ${OPTION.sites} missing`);
  const sites = JSON.parse(raw) as unknown;
  if (!Array.isArray(sites) || !sites.every((s) => typeof s === "string"))
    throw new Error(`${what}: option ${OPTION.sites} must be a JSON array of site ids`);
  return [...new Set(sites as string[])].sort();
}

/** +1 if `self` sorts before `other`: the two add opposite masks, so they cancel in the sum. */
export function maskSign(self: string, other: string): 1 | -1 {
  return self < other ? 1 : -1;
}

export const MASK_PURPOSE = "segviz-secagg-mask-v1";
export const SHARE_PURPOSE = "segviz-secagg-share-v1";
