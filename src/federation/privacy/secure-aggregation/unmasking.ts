// The coordinator's last step of a secure-aggregation round: from the survivors' masked inputs
// and the shares they returned, rebuild each survivor's self-mask seed and each dropped site's
// mask key (each checked against what its owner advertised), remove those masks, and keep only
// the sum. A share that does not fit is attributed to its holder; if the honest shares are too
// few, the round fails: a wrong sum is never produced.

import type { WeightSet } from "../../weights/weight-set.js";
import { addInto } from "./fixed-point.js";
import { agreeKey, privateKeyFromRaw, publicKeyOfPrivate } from "./key-agreement.js";
import { applyMask } from "./mask-stream.js";
import { commitmentOf, maskSeedOfSelf } from "./site-participant.js";
import { MASK_PURPOSE, type MemberKeys, maskSign, onlyNames, readBytes } from "./stage-messages.js";
import { type HeldShare, rebuildSecret } from "./threshold-secret.js";

export interface UnmaskingInput {
  session: string;
  threshold: number;
  members: Map<string, MemberKeys>;
  /** Sites that masked with each other (their shares were routed). */
  masking: string[];
  /** Sites whose masked input arrived and was accepted. */
  survivors: string[];
  masked: Map<string, Uint32Array>;
  /** The unmask replies, by responding site. */
  replies: Map<string, WeightSet>;
}

export interface Unmasked {
  sum: Uint32Array;
  /** Sites whose returned shares contradicted the rebuilt secrets. */
  liars: string[];
  /** Unmask replies refused for their form, with the reason. */
  refused: Record<string, string>;
  rebuiltSeeds: number;
  rebuiltKeys: number;
}

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export async function unmaskSum(input: UnmaskingInput, vectorLength: number): Promise<Unmasked> {
  const { session, threshold, members, masking, survivors, masked } = input;
  const dropped = masking.filter((id) => !survivors.includes(id));
  // The form of each reply: exactly one share per masking site, of the kind the survivors imply.
  const expected = masking.map((id) => (survivors.includes(id) ? `seed/${id}` : `key/${id}`));
  const refused: Record<string, string> = {};
  const replies = new Map<string, WeightSet>();
  for (const [site, reply] of input.replies) {
    try {
      onlyNames(reply, expected, `unmask reply of ${site}`);
      for (const name of expected) readBytes(reply, name, `unmask reply of ${site}`, { length: 33 });
      replies.set(site, reply);
    } catch (e) {
      refused[site] = (e as Error).message;
    }
  }
  const sharesOf = (name: string): HeldShare[] =>
    [...replies].map(([holder, reply]) => ({ holder, share: reply.get(name)!.data as Uint8Array }));
  const liars = new Set<string>();
  const sum = new Uint32Array(vectorLength);
  for (const id of survivors) {
    const vector = masked.get(id);
    if (vector === undefined || vector.length !== vectorLength)
      throw new Error(`masked input of ${id} is missing`);
    addInto(sum, vector);
  }
  for (const id of survivors) {
    const commitment = members.get(id)!.commitment;
    const rebuilt = await rebuildSecret(
      sharesOf(`seed/${id}`),
      threshold,
      (seed) => equal(commitmentOf(session, seed), commitment),
      `self-mask seed of ${id}`,
    );
    for (const l of rebuilt.liars) liars.add(l);
    applyMask(sum, maskSeedOfSelf(rebuilt.secret), -1);
  }
  for (const id of dropped) {
    const advertised = members.get(id)!.s;
    const rebuilt = await rebuildSecret(
      sharesOf(`key/${id}`),
      threshold,
      (raw) => equal(publicKeyOfPrivate(raw), advertised),
      `mask key of dropped site ${id}`,
    );
    for (const l of rebuilt.liars) liars.add(l);
    const key = privateKeyFromRaw(rebuilt.secret);
    // Each survivor v added maskSign(v, id) * PRG(s_v,id); the dropped site's opposite never came.
    for (const v of survivors) {
      const seed = agreeKey(key, members.get(v)!.s, session, MASK_PURPOSE, `member ${v}`);
      applyMask(sum, seed, maskSign(v, id) === 1 ? -1 : 1);
    }
  }
  return {
    sum,
    liars: [...liars].sort(),
    refused,
    rebuiltSeeds: survivors.length,
    rebuiltKeys: dropped.length,
  };
}
