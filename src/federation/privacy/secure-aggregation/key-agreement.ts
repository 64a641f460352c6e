// X25519 key pairs and the secrets two sites derive from them (node:crypto, OpenSSL underneath).
// Raw 32-byte keys travel; every derived key is bound to the session and to its purpose by HKDF,
// so a mask seed can never serve as an encryption key or be reused in another round.

import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";

export interface X25519KeyPair {
  privateKey: KeyObject;
  /** The raw 32-byte public key. */
  publicKey: Uint8Array;
}

// DER prefixes of an X25519 key (RFC 8410): the raw key follows them.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

export function generateX25519(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  return { privateKey, publicKey: rawPublicKey(publicKey) };
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ type: "spki", format: "der" });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function rawPrivateKey(key: KeyObject): Uint8Array {
  const der = key.export({ type: "pkcs8", format: "der" });
  return new Uint8Array(der.subarray(der.length - 32));
}

export function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error(`an X25519 private key has 32 bytes, not ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
}

export function publicKeyFromRaw(raw: Uint8Array, what: string): KeyObject {
  if (raw.length !== 32) throw new Error(`${what}: an X25519 public key has 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** The raw public key belonging to a raw private key (to check a rebuilt key against its advert). */
export function publicKeyOfPrivate(raw: Uint8Array): Uint8Array {
  return rawPublicKey(createPublicKey(privateKeyFromRaw(raw)));
}

/** A 32-byte key for `purpose` in `session`, from our private key and the peer's public key. */
export function agreeKey(
  ours: KeyObject,
  theirs: Uint8Array,
  session: string,
  purpose: string,
  what: string,
): Uint8Array {
  const secret = diffieHellman({ privateKey: ours, publicKey: publicKeyFromRaw(theirs, what) });
  if (secret.every((b) => b === 0))
    throw new Error(`${what}: a low-order public key (all-zero shared secret)`);
  return new Uint8Array(hkdfSync("sha256", secret, Buffer.from(session), Buffer.from(purpose), 32));
}
