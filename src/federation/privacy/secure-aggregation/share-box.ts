// A site's secret shares for another site travel through the coordinator sealed with AES-256-GCM
// under a key only the two sites can derive; the sender, recipient and session are authenticated
// data, so the coordinator can neither read a share nor pass it to another site or round.

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const NONCE = 12;
const TAG = 16;

function aad(session: string, from: string, to: string): Buffer {
  return Buffer.from(JSON.stringify([session, from, to]));
}

export function sealShare(
  key: Uint8Array,
  plaintext: Uint8Array,
  session: string,
  from: string,
  to: string,
): Uint8Array {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(aad(session, from, to));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

export function openShare(
  key: Uint8Array,
  sealed: Uint8Array,
  session: string,
  from: string,
  to: string,
): Uint8Array {
  if (sealed.length < NONCE + TAG)
    throw new Error(`sealed share from ${from} is too short (${sealed.length} bytes)`);
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, NONCE));
  decipher.setAAD(aad(session, from, to));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return new Uint8Array(
      Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]),
    );
  } catch {
    throw new Error(
      `sealed share from ${from} to ${to} does not authenticate (altered, or not for this session)`,
    );
  }
}
