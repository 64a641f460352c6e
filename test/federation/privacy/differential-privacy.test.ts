// Clipping and noise checked on the tensors: no stored update exceeds the clipping norm (float32
// rounding included); the central and the distributed noise have the configured standard
// deviation (a chi-square interval on the sample variance); adaptive clipping moves the norm by
// Andrew et al.'s geometric rule; the settings refuse what would void the guarantee.

import assert from "node:assert/strict";
import { test } from "node:test";
import { noisedMean } from "../../../src/federation/privacy/differential-privacy/central-noise.js";
import {
  differentialPrivacySettings,
  updateNoiseMultiplier,
} from "../../../src/federation/privacy/differential-privacy/config.js";
import { GaussianSource } from "../../../src/federation/privacy/differential-privacy/gaussian-noise.js";
import { PrivacyBudget } from "../../../src/federation/privacy/differential-privacy/privacy-budget.js";
import { privacySpent } from "../../../src/federation/privacy/differential-privacy/rdp-accountant.js";
import {
  clipUpload,
  updateNorm,
  updateOf,
} from "../../../src/federation/privacy/differential-privacy/update-clipping.js";
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

function randomSet(seed: number, n: number, scale: number, offset?: WeightSet): WeightSet {
  const r = mulberry32(seed);
  const base = offset?.get("w")?.data as Float32Array | undefined;
  return new Map([
    [
      "w",
      {
        dtype: "float32",
        shape: [n],
        data: Float32Array.from({ length: n }, (_, i) => (base?.[i] ?? 0) + (r() - 0.5) * scale),
      },
    ],
  ]);
}

/** The sample variance is within the two-sided 99.9% chi-square interval of sigma^2 (normal approximation, n large). */
function assertStd(samples: ArrayLike<number>, sigma: number, what: string) {
  const n = samples.length;
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    s += samples[i];
    ss += samples[i] ** 2;
  }
  const mean = s / n;
  const variance = ss / n - mean * mean;
  const z = (variance / sigma ** 2 - 1) / Math.sqrt(2 / n);
  assert.ok(Math.abs(z) < 3.3, `${what}: sample std ${Math.sqrt(variance)} vs ${sigma} (z ${z.toFixed(2)})`);
  assert.ok(Math.abs(mean) < (3.3 * sigma) / Math.sqrt(n), `${what}: mean ${mean}`);
}

test("a clipped upload, stored as float32, never exceeds the clipping norm; a small one is left alone", () => {
  const seen = new Set<boolean>();
  for (let seed = 1; seed <= 50; seed++) {
    const global = randomSet(1000 + seed, 5000, 2);
    const upload = randomSet(seed, 5000, 0.001 * seed, global);
    const clipNorm = 0.3;
    const out = clipUpload(upload, global, clipNorm);
    const stored = updateNorm(updateOf(out.weights, global), global);
    assert.ok(stored <= clipNorm, `seed ${seed}: stored norm ${stored} > ${clipNorm}`);
    seen.add(out.unclipped);
    if (out.unclipped) assert.equal(out.weights, upload);
    else assert.ok(stored > clipNorm * 0.999999, `seed ${seed}: clipped to ${stored}, not to the bound`);
  }
  assert.deepEqual([...seen].sort(), [false, true]);
});

test("central noise: the noised mean's deviation has std z*C/m", () => {
  const global = randomSet(7, 200_000, 1);
  const same = [0, 1, 2].map((k) => ({ siteId: `s${k}`, numExamples: 1, weights: global }));
  const sigma = 0.8;
  const mean = noisedMean(global, same.length, sigma).get("w")!.data as Float32Array;
  const g = global.get("w")!.data as Float32Array;
  assertStd(
    Float64Array.from(mean, (v, i) => v - g[i]),
    sigma / 3,
    "central noise",
  );
});

test("Gaussian source: N(0, 1) by its variance and its tails", () => {
  const source = new GaussianSource();
  const x = Float64Array.from({ length: 400_000 }, () => source.standard());
  assertStd(x, 1, "standard normal");
  const beyond2 = x.filter((v) => Math.abs(v) > 2).length / x.length;
  assert.ok(Math.abs(beyond2 - 0.0455) < 0.002, `P(|x| > 2) = ${beyond2}`);
});

test("distributed noise: four sites each add std sigma/2, the unmasked sum carries std sigma", async () => {
  const ids = ["a", "b", "c", "d"];
  const n = 50_000;
  const global: WeightSet = new Map([["w", { dtype: "float32", shape: [n], data: new Float32Array(n) }]]);
  const session = "dp-test";
  const params = { session, threshold: 3, bits: 24, clipRange: 8 };
  const parts = new Map(ids.map((id) => [id, new SecureAggregationParticipant(id)]));
  const members = new Map<string, MemberKeys>();
  for (const id of ids) members.set(id, readAdvert(parts.get(id)!.advertise(params, global, global), id));
  const keys = encodeMemberKeys(members);
  const sealed = new Map<string, WeightSet>();
  for (const id of ids) sealed.set(id, await parts.get(id)!.shareKeys(session, keys));
  const sigma = 0.5;
  const masked = new Map<string, Uint32Array>();
  for (const id of ids) {
    const routed: WeightSet = new Map(
      ids.filter((u) => u !== id).map((u) => [`from/${u}`, sealed.get(u)!.get(`to/${id}`)!]),
    );
    const out = parts.get(id)!.maskedInput(session, routed, ids, 1, { clipNorm: 1, noiseStd: sigma / 2 });
    masked.set(id, new Uint32Array((out.masked.get("masked")!.data as Int32Array).buffer));
  }
  const replies = new Map(ids.map((id) => [id, parts.get(id)!.unmask(session, ids)]));
  const layout = vectorLayout(global, 24, 8);
  const { sum } = await unmaskSum(
    { session, threshold: 3, members, masking: ids, survivors: ids, masked, replies },
    layout.length,
  );
  assertStd(dequantise(sum, 0, n, layout.entries[0].scale, 1), sigma, "distributed noise");
});

test("adaptive clipping: C <- C * exp(-eta * (noisy unclipped fraction - target)), and the ledger spends z overall", () => {
  const settings = differentialPrivacySettings(
    {
      noiseMultiplier: 1,
      clipNorm: 2,
      adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 1 },
    },
    4,
    false,
  );
  // z_update = (1 - 1/4)^(-1/2): the count (sigma_b 1, sensitivity 1/2) takes the rest of z = 1.
  assert.ok(Math.abs(updateNoiseMultiplier(settings) - 1 / Math.sqrt(0.75)) < 1e-12);
  const budget = new PrivacyBudget(settings);
  const r = budget.release({
    round: 1,
    contributors: 4,
    updateNoiseStd: 2 / Math.sqrt(0.75),
    countNoiseStd: 1,
    noisyUnclippedCount: 3,
  });
  assert.ok(Math.abs(r.nextClipNorm - 2 * Math.exp(-0.2 * (0.75 - 0.5))) < 1e-12);
  assert.ok(Math.abs(r.noiseMultiplier - 1) < 1e-12);
  assert.equal(r.epsilon, privacySpent([{ round: 1, noiseMultiplier: 1, sampleRate: 1 }], 1e-5).epsilon);
  // Saved and restored with the checkpoint.
  const again = new PrivacyBudget(settings);
  again.load(JSON.parse(JSON.stringify(budget.save())));
  assert.equal(again.clipNorm, r.nextClipNorm);
  assert.equal(again.spent().epsilon, r.epsilon);
});

test("settings refuse what would void the guarantee", () => {
  assert.throws(
    () => differentialPrivacySettings({ noiseMultiplier: 1, clipNorm: 1, noise: "distributed" }, 4, false),
    /needs secureAggregation/,
  );
  assert.throws(
    () => differentialPrivacySettings({ noiseMultiplier: 1, clipNorm: 1, noise: "central" }, 4, true),
    /sees only the sum/,
  );
  assert.throws(
    () => differentialPrivacySettings({ noiseMultiplier: 0, clipNorm: 1 }, 4, false),
    /noiseMultiplier/,
  );
  assert.throws(
    () =>
      differentialPrivacySettings(
        { noiseMultiplier: 4, clipNorm: 1, adaptiveClipping: { countNoiseStd: 1 } },
        4,
        false,
      ),
    /countNoiseStd/,
  );
});
