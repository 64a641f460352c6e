import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hashToken, SiteRegistry } from "../../../src/federation/security/site-registry.js";
import { validateUpdate } from "../../../src/federation/security/update-validation.js";
import { mergeGlobal } from "../../../src/federation/site/merge-weights.js";
import { NameFilter } from "../../../src/federation/weights/name-filter.js";
import type { WeightSet } from "../../../src/federation/weights/weight-set.js";

const f32 = (...v: number[]) => ({
  dtype: "float32" as const,
  shape: [v.length],
  data: Float32Array.from(v),
});
const global: WeightSet = new Map([["body.w", f32(0, 0)]]);
const sharing = new NameFilter(["*"], ["model.2.*"]);

describe("update validation", () => {
  test("accepts a good update and reports its norm", () => {
    const r = validateUpdate(new Map([["body.w", f32(3, 4)]]), global, sharing);
    assert.deepEqual(r, { ok: true, updateNorm: 5 });
  });
  test("the norm runs over every float tensor, float32 and float64 alike", () => {
    const two: WeightSet = new Map();
    two.set("body.w", f32(1, 1));
    two.set("body.v", { dtype: "float64", shape: [1], data: Float64Array.from([0.5]) });
    const update: WeightSet = new Map();
    update.set("body.w", f32(4, 5));
    update.set("body.v", { dtype: "float64", shape: [1], data: Float64Array.from([12.5]) });
    // (3, 4) and 12: sqrt(9 + 16 + 144) = 13.
    assert.deepEqual(validateUpdate(update, two, sharing), { ok: true, updateNorm: 13 });
  });
  test("refuses unknown names, local names, dtype, shape, non-finite values and large norms", () => {
    const reason = (u: WeightSet, o = {}) => {
      const r = validateUpdate(u, global, sharing, o);
      return r.ok ? "ok" : r.reason;
    };
    assert.match(reason(new Map([["other", f32(1)]])), /unexpected tensor "other"/);
    assert.match(reason(new Map([["model.2.head", f32(1)]])), /"model.2.head" is not shared/);
    assert.match(
      reason(new Map([["body.w", { dtype: "float64", shape: [2], data: new Float64Array(2) }]])),
      /dtype float64, expected float32/,
    );
    assert.match(reason(new Map([["body.w", f32(1, 2, 3)]])), /shape \[3\], expected \[2\]/);
    assert.match(reason(new Map([["body.w", f32(1, Number.POSITIVE_INFINITY)]])), /element 1 is Infinity/);
    assert.match(reason(new Map([["body.w", f32(Number.NaN, 1)]])), /"body.w": element 0 is NaN/);
    assert.match(
      reason(new Map([["body.w", f32(3, 4)]]), { maxUpdateNorm: 4.9 }),
      /update norm 5.000 exceeds the bound 4.9/,
    );
    assert.match(reason(new Map()), /no tensors/);
  });
  test("a site never lets the coordinator overwrite its local tensors", () => {
    const site: WeightSet = new Map([
      ["body.w", f32(1, 1)],
      ["model.2.head", f32(7)],
    ]);
    assert.throws(
      () => mergeGlobal(site, new Map([["model.2.head", f32(0)]]), sharing),
      /local to this site/,
    );
    assert.throws(() => mergeGlobal(site, new Map([["body.w", f32(Number.NaN, 0)]]), sharing), /non-finite/);
  });
});

describe("site registry", () => {
  const registry = new SiteRegistry([
    { id: "a", token: "secret" },
    { id: "b", tokenSha256: hashToken("other").toString("hex") },
    { id: "c", token: "x", revoked: true },
    { id: "d" },
  ]);
  test("tokens, hashed tokens, revocation, certificates", () => {
    assert.deepEqual(registry.admit("a", "secret", undefined, false), { ok: true });
    assert.deepEqual(registry.admit("b", "other", undefined, false), { ok: true });
    assert.equal(registry.admit("a", "secreT", undefined, false).ok, false);
    assert.equal(registry.admit("a", "", undefined, false).ok, false);
    assert.match(JSON.stringify(registry.admit("c", "x", undefined, false)), /revoked/);
    assert.match(JSON.stringify(registry.admit("zz", "x", undefined, false)), /unknown site/);
    assert.deepEqual(registry.admit("d", "", "d", true), { ok: true });
    assert.match(JSON.stringify(registry.admit("d", "", undefined, false)), /certificate is required/);
    assert.match(JSON.stringify(registry.admit("a", "secret", "b", true)), /certificate names/);
  });
});

test("name filters: * spans dots, ? is one character, excludes win", () => {
  const f = new NameFilter(["model.*"], ["*.adn.N.*", "model.2.?.conv.*"]);
  assert.equal(f.shares("model.0.conv.unit0.conv.weight"), true);
  assert.equal(f.shares("model.0.conv.unit0.adn.N.running_mean"), false);
  assert.equal(f.shares("model.2.0.conv.weight"), false);
  assert.equal(f.shares("model.2.10.conv.weight"), true);
  assert.equal(f.shares("other.weight"), false);
  assert.equal(new NameFilter(["a.b"]).shares("aXb"), false, "dots are literal");
});
