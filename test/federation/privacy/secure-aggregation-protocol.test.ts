// The secure-aggregation protocol between participants in memory (the network runs are in
// secure-aggregation-federation.test.ts): the unmasked sum equals the plain sum within the
// quantisation bound, with and without a site dropping after sharing or after masking; a lying
// share is named; a coordinator cannot get both shares of one site.

import assert from "node:assert/strict";
import { test } from "node:test";
import { quantisationLevels } from "../../../src/federation/privacy/secure-aggregation/config.js";
import { dequantise } from "../../../src/federation/privacy/secure-aggregation/fixed-point.js";
import { SecureAggregationParticipant } from "../../../src/federation/privacy/secure-aggregation/site-participant.js";
import {
  encodeMemberKeys,
  type MemberKeys,
  readAdvert,
} from "../../../src/federation/privacy/secure-aggregation/stage-messages.js";
import { unmaskSum } from "../../../src/federation/privacy/secure-aggregation/unmasking.js";
import { vectorLayout } from "../../../src/federation/privacy/secure-aggregation/vector-layout.js";
import type { WeightSet } from "../../../src/federation/weights/weight-set.js";
import { mulberry32 } from "../../../src/util/mulberry32.js";

const BITS = 24;
const CLIP = 1;
const IDS = ["a", "b", "c", "d"];

function weights(seed: number, scale: number): WeightSet {
  const r = mulberry32(seed);
  return new Map([
    [
      "body.w",
      {
        dtype: "float32",
        shape: [3, 50],
        data: Float32Array.from({ length: 150 }, () => (r() - 0.5) * scale),
      },
    ],
    [
      "body.b",
      { dtype: "float32", shape: [7], data: Float32Array.from({ length: 7 }, () => (r() - 0.5) * scale) },
    ],
  ]);
}

interface Run {
  global: WeightSet;
  uploads: Map<string, WeightSet>;
  parts: Map<string, SecureAggregationParticipant>;
  members: Map<string, MemberKeys>;
  masked: Map<string, Uint32Array>;
  session: string;
}

/** Advertise, share and mask among `maskers` (the others drop after sharing). */
async function maskRound(maskers: string[]): Promise<Run> {
  const session = `test-${Math.random()}`;
  const global = weights(1, 2);
  const uploads = new Map(
    IDS.map((id, k) => [
      id,
      new Map(
        [...global].map(([n, t]) => {
          const d = weights(10 + k, 0.2).get(n)!;
          return [
            n,
            { ...t, data: Float32Array.from(t.data as Float32Array, (v, i) => v + (d.data[i] as number)) },
          ];
        }),
      ) as WeightSet,
    ]),
  );
  const parts = new Map(IDS.map((id) => [id, new SecureAggregationParticipant(id)]));
  const params = { session, threshold: 3, bits: BITS, clipRange: CLIP };
  const members = new Map<string, MemberKeys>();
  for (const id of IDS)
    members.set(id, readAdvert(parts.get(id)!.advertise(params, global, uploads.get(id)!), id));
  const keysPayload = encodeMemberKeys(members);
  const sealed = new Map<string, WeightSet>();
  for (const id of IDS) sealed.set(id, await parts.get(id)!.shareKeys(session, keysPayload));
  const masked = new Map<string, Uint32Array>();
  for (const id of maskers) {
    const routed: WeightSet = new Map(
      IDS.filter((u) => u !== id).map((u) => [`from/${u}`, sealed.get(u)!.get(`to/${id}`)!]),
    );
    const out = parts.get(id)!.maskedInput(session, routed, IDS, 1);
    const t = out.masked.get("masked")!;
    masked.set(id, new Uint32Array((t.data as Int32Array).buffer));
  }
  return { global, uploads, parts, members, masked, session };
}

function plainMean(run: Run, sites: string[], name: string): Float64Array {
  const g = run.global.get(name)!.data as Float32Array;
  const out = new Float64Array(g.length);
  for (const id of sites) {
    const u = run.uploads.get(id)!.get(name)!.data as Float32Array;
    for (let i = 0; i < g.length; i++) out[i] += (u[i] - g[i]) / sites.length;
  }
  return out;
}

async function unmask(
  run: Run,
  survivors: string[],
  responders: string[],
  tamper?: (id: string, reply: WeightSet) => void,
) {
  const replies = new Map<string, WeightSet>();
  for (const id of responders) {
    const reply = run.parts.get(id)!.unmask(run.session, survivors);
    tamper?.(id, reply);
    replies.set(id, reply);
  }
  const layout = vectorLayout(run.global, BITS, CLIP);
  const result = await unmaskSum(
    {
      session: run.session,
      threshold: 3,
      members: run.members,
      masking: IDS,
      survivors,
      masked: new Map([...run.masked].filter(([id]) => survivors.includes(id))),
      replies,
    },
    layout.length,
  );
  return { result, layout };
}

function assertMeanWithinBound(run: Run, sum: Uint32Array, survivors: string[]) {
  const layout = vectorLayout(run.global, BITS, CLIP);
  const unit = CLIP / quantisationLevels(BITS);
  for (const e of layout.entries) {
    const got = dequantise(sum, e.offset, e.length, e.scale, survivors.length);
    const want = plainMean(run, survivors, e.name);
    for (let i = 0; i < want.length; i++)
      assert.ok(
        Math.abs(got[i] - want[i]) < unit,
        `${e.name}[${i}]: ${got[i]} vs ${want[i]} (bound ${unit})`,
      );
  }
}

test("all four sites: the unmasked sum is the plain mean within one quantisation unit", async () => {
  const run = await maskRound(IDS);
  const { result } = await unmask(run, IDS, IDS);
  assert.deepEqual(result.liars, []);
  assertMeanWithinBound(run, result.sum, IDS);
});

test("a site that drops after sharing its keys: its pairwise masks are rebuilt and removed", async () => {
  const run = await maskRound(["a", "b", "d"]);
  const { result } = await unmask(run, ["a", "b", "d"], ["a", "b", "d"]);
  assert.equal(result.rebuiltKeys, 1);
  assertMeanWithinBound(run, result.sum, ["a", "b", "d"]);
});

test("a site that drops after masking: its update counts, its self-mask comes from the others' shares", async () => {
  const run = await maskRound(IDS);
  const { result } = await unmask(run, IDS, ["a", "b", "c"]);
  assertMeanWithinBound(run, result.sum, IDS);
});

test("a lying share is named and left out, and with too few honest shares the sum fails", async () => {
  const run = await maskRound(IDS);
  const lie = (id: string, reply: WeightSet) => {
    if (id !== "b") return;
    for (const t of reply.values()) (t.data as Uint8Array)[3] ^= 0x5a;
  };
  const { result } = await unmask(run, IDS, IDS, lie);
  assert.deepEqual(result.liars, ["b"]);
  assertMeanWithinBound(run, result.sum, IDS);
  // Three responders, one lying: no three shares agree with the commitments.
  const run2 = await maskRound(IDS);
  await assert.rejects(unmask(run2, IDS, ["a", "b", "c"], lie), /match its owner's commitment|lied/);
});

test("a site never reveals a seed share and a key share for the same site", async () => {
  const run = await maskRound(IDS);
  run.parts.get("a")!.unmask(run.session, IDS);
  assert.throws(() => run.parts.get("a")!.unmask(run.session, ["a", "b", "c"]), /revealing both/);
});

test("each masked input is uniform on the ring and tells nothing of its update", async () => {
  const run = await maskRound(IDS);
  const v = run.masked.get("a")!;
  // Chi-square over 16 bins of the top 4 bits: 15 degrees of freedom, p = 0.001 at 37.7.
  const bins = new Array(16).fill(0);
  for (const x of v) bins[x >>> 28]++;
  const e = v.length / 16;
  const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
  assert.ok(chi2 < 37.7, `chi-square ${chi2}`);
});
