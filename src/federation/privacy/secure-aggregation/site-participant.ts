// A site's side of one secure-aggregation session (Bonawitz et al., CCS 2017, with every site
// each other's neighbour): fresh keys and a fresh self-mask seed per session; Shamir shares of
// the seed and of the mask key, sealed for each member; the update quantised, optionally clipped
// and noised (distributed DP), and masked; then, for the survivors named by the coordinator, the
// seed shares of those who stayed or the key shares of those who left, never both for one site.

import type { KeyObject } from "node:crypto";
import { createHash, randomBytes } from "node:crypto";
import type { WeightSet } from "../../weights/weight-set.js";
import { GaussianSource } from "../differential-privacy/gaussian-noise.js";
import { clipUpdate, updateOf } from "../differential-privacy/update-clipping.js";
import { quantiseInto, UniformSource } from "./fixed-point.js";
import { agreeKey, generateX25519, rawPrivateKey } from "./key-agreement.js";
import { applyMask } from "./mask-stream.js";
import { openShare, sealShare } from "./share-box.js";
import {
  bytesTensor,
  decodeMemberKeys,
  MASK_PURPOSE,
  MAX_SEALED_SHARE,
  type MemberKeys,
  maskSign,
  onlyNames,
  readBytes,
  SHARE_PURPOSE,
} from "./stage-messages.js";
import { splitSecret } from "./threshold-secret.js";
import { vectorLayout } from "./vector-layout.js";

export interface SessionParameters {
  session: string;
  threshold: number;
  bits: number;
  clipRange: number;
}

/** Distributed DP for one masked input: this site's part of the noise. */
export interface SiteNoise {
  clipNorm: number;
  /** Std of this site's noise per value (the whole round's std over sqrt(members)). */
  noiseStd: number;
  /** Adaptive clipping: add the unclipped bit, with this std of noise. */
  countNoiseStd?: number;
}

export interface MaskedInput {
  masked: WeightSet;
  metrics: Record<string, number>;
}

const SHAMIR_SHARE = 33;

export function commitmentOf(session: string, seed: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(session).update(seed).digest());
}

export class SecureAggregationParticipant {
  private params?: SessionParameters;
  private keys?: { c: KeyObject; s: KeyObject; sRaw: Uint8Array; cPublic: Uint8Array; sPublic: Uint8Array };
  private seed?: Uint8Array;
  private global?: WeightSet;
  private upload?: WeightSet;
  private members?: Map<string, MemberKeys>;
  /** Shares held for each member (own ones included): [seed share, key share]. */
  private held = new Map<string, { seed: Uint8Array; key: Uint8Array }>();
  private maskedWith?: string[];
  /** What was revealed about each member this session: a seed share or a key share. */
  private revealed = new Map<string, "seed" | "key">();
  private readonly sessionsSeen = new Set<string>();

  constructor(readonly siteId: string) {}

  /** After training: keep the update, make fresh keys, and advertise them. */
  advertise(params: SessionParameters, global: WeightSet, upload: WeightSet): WeightSet {
    if (this.sessionsSeen.has(params.session))
      throw new Error(`secure aggregation session ${params.session} was already used; keys are never reused`);
    this.sessionsSeen.add(params.session);
    const c = generateX25519();
    const s = generateX25519();
    this.params = params;
    this.keys = {
      c: c.privateKey,
      s: s.privateKey,
      sRaw: rawPrivateKey(s.privateKey),
      cPublic: c.publicKey,
      sPublic: s.publicKey,
    };
    this.seed = new Uint8Array(randomBytes(32));
    this.global = global;
    this.upload = upload;
    this.members = undefined;
    this.held.clear();
    this.maskedWith = undefined;
    this.revealed.clear();
    return new Map([
      ["c", bytesTensor(c.publicKey)],
      ["s", bytesTensor(s.publicKey)],
      ["b-commitment", bytesTensor(commitmentOf(params.session, this.seed))],
    ]);
  }

  private session(what: string, session: string | undefined): SessionParameters {
    const p = this.params;
    if (p === undefined || session !== p.session)
      throw new Error(`${what}: no secure aggregation session ${session ?? "(none)"} at this site`);
    return p;
  }

  /** Shares of the seed and the mask key for every member, sealed for each other member. */
  async shareKeys(session: string | undefined, payload: WeightSet): Promise<WeightSet> {
    const p = this.session("share keys", session);
    const members = decodeMemberKeys(payload, "share-keys task");
    const ours = members.get(this.siteId);
    if (
      ours === undefined ||
      !Buffer.from(ours.c).equals(Buffer.from(this.keys!.cPublic)) ||
      !Buffer.from(ours.s).equals(Buffer.from(this.keys!.sPublic))
    )
      throw new Error("share-keys task: the member list does not hold this site's own keys");
    if (members.size < p.threshold)
      throw new Error(`share-keys task: ${members.size} members, fewer than the threshold ${p.threshold}`);
    const ids = [...members.keys()];
    const seedShares = await splitSecret(this.seed!, ids.length, p.threshold);
    const keyShares = await splitSecret(this.keys!.sRaw, ids.length, p.threshold);
    this.members = members;
    const out: WeightSet = new Map();
    ids.forEach((id, k) => {
      if (id === this.siteId) {
        this.held.set(id, { seed: seedShares[k], key: keyShares[k] });
        return;
      }
      const key = agreeKey(this.keys!.c, members.get(id)!.c, p.session, SHARE_PURPOSE, `member ${id}`);
      const plain = new Uint8Array(2 * SHAMIR_SHARE);
      plain.set(seedShares[k], 0);
      plain.set(keyShares[k], SHAMIR_SHARE);
      out.set(`to/${id}`, bytesTensor(sealShare(key, plain, p.session, this.siteId, id)));
    });
    return out;
  }

  /**
   * The update, clipped and noised if asked, times `weight`, quantised and masked with the seed
   * and with a pairwise mask for every other site in `sites` (those whose shares arrived).
   */
  maskedInput(
    session: string | undefined,
    routed: WeightSet,
    sites: string[],
    weight: number,
    noise?: SiteNoise,
  ): MaskedInput {
    const p = this.session("masked input", session);
    const members = this.members;
    if (members === undefined) throw new Error("masked input: keys were not shared in this session");
    if (!sites.includes(this.siteId)) throw new Error("masked input: this site is not among the sites named");
    if (sites.length < p.threshold)
      throw new Error(`masked input: ${sites.length} sites, fewer than the threshold ${p.threshold}`);
    if (!(Number.isFinite(weight) && weight >= 0)) throw new Error(`masked input: bad weight ${weight}`);
    const others = sites.filter((id) => id !== this.siteId);
    onlyNames(
      routed,
      others.map((id) => `from/${id}`),
      "masked-input task",
    );
    for (const id of others) {
      const m = members.get(id);
      if (m === undefined) throw new Error(`masked input: ${id} was not a member when keys were shared`);
      const sealed = readBytes(routed, `from/${id}`, "masked-input task", { max: MAX_SEALED_SHARE });
      const key = agreeKey(this.keys!.c, m.c, p.session, SHARE_PURPOSE, `member ${id}`);
      const plain = openShare(key, sealed, p.session, id, this.siteId);
      if (plain.length !== 2 * SHAMIR_SHARE) throw new Error(`share from ${id} has ${plain.length} bytes`);
      this.held.set(id, { seed: plain.slice(0, SHAMIR_SHARE), key: plain.slice(SHAMIR_SHARE) });
    }
    const global = this.global!;
    const extras = noise?.countNoiseStd !== undefined ? ["dp.unclipped"] : [];
    const layout = vectorLayout(global, p.bits, p.clipRange, extras);
    const update = updateOf(this.upload!, global);
    const metrics: Record<string, number> = {};
    let unclipped = 1;
    if (noise !== undefined) {
      const clipped = clipUpdate(update, global, noise.clipNorm);
      unclipped = clipped.unclipped ? 1 : 0;
      metrics.dpUpdateNorm = clipped.norm;
      const gaussian = new GaussianSource();
      for (const d of update.values()) gaussian.addTo(d, noise.noiseStd);
    }
    const vector = new Uint32Array(layout.length);
    const uniform = new UniformSource();
    let clippedValues = 0;
    for (const e of layout.entries) {
      let values: Float64Array;
      if (e.name === "dp.unclipped") {
        values = Float64Array.of(unclipped);
        new GaussianSource().addTo(values, noise!.countNoiseStd!);
      } else {
        values = update.get(e.name)!;
        if (weight !== 1) for (let i = 0; i < values.length; i++) values[i] *= weight;
      }
      clippedValues += quantiseInto(values, e.scale, e.range, vector, e.offset, uniform);
    }
    metrics.secaggClippedValues = clippedValues;
    applyMask(vector, maskSeedOfSelf(this.seed!), 1);
    for (const id of others) {
      const seed = agreeKey(this.keys!.s, members.get(id)!.s, p.session, MASK_PURPOSE, `member ${id}`);
      applyMask(vector, seed, maskSign(this.siteId, id));
    }
    this.maskedWith = sites;
    this.upload = undefined; // the clear update is no longer needed
    const masked: WeightSet = new Map([
      ["masked", { dtype: "int32", shape: [vector.length], data: new Int32Array(vector.buffer) }],
    ]);
    return { masked, metrics };
  }

  /** Seed shares of the survivors, key shares of the others this site masked with. */
  unmask(session: string | undefined, survivors: string[]): WeightSet {
    const p = this.session("unmask", session);
    const maskedWith = this.maskedWith;
    if (maskedWith === undefined) throw new Error("unmask: this site sent no masked input in this session");
    if (survivors.length < p.threshold)
      throw new Error(`unmask: ${survivors.length} survivors, fewer than the threshold ${p.threshold}`);
    for (const id of survivors)
      if (!maskedWith.includes(id)) throw new Error(`unmask: survivor ${id} was not among the masked sites`);
    if (!survivors.includes(this.siteId))
      throw new Error("unmask: this site is not among the survivors named");
    const out: WeightSet = new Map();
    for (const id of maskedWith) {
      const kind = survivors.includes(id) ? "seed" : "key";
      const before = this.revealed.get(id);
      if (before !== undefined && before !== kind)
        throw new Error(
          `unmask: asked for ${id}'s ${kind} share after its ${before} share; revealing both would unmask its update`,
        );
      this.revealed.set(id, kind);
      const held = this.held.get(id);
      if (held === undefined) throw new Error(`unmask: no share held for ${id}`);
      out.set(`${kind}/${id}`, bytesTensor(kind === "seed" ? held.seed : held.key));
    }
    return out;
  }
}

/** The self-mask's AES key: the seed itself, hashed so the seed never keys a cipher directly. */
export function maskSeedOfSelf(seed: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update("segviz-secagg-self-mask-v1").update(seed).digest());
}
