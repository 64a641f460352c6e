// Marginal + exclusion loss: equals Dice + CE when every organ is annotated, matches a hand
// computation on a partially labelled case, and its gradient matches finite differences.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, randint, randn, Tensor, tidy } from "../../src/engine/index.js";
import { DiceCELoss } from "../../src/nn/losses/dice-ce.js";
import { marginalExclusionLoss } from "../../src/nn/losses/marginal-exclusion.js";
import { gradcheck } from "../engine/gradcheck.js";

test("with every organ annotated it is MONAI's Dice + CE", () => {
  manualSeed(4);
  tidy(() => {
    const logits = randn([2, 3, 4, 5, 3], { dtype: "float64" });
    const labels = randint(0, 3, [2, 1, 4, 5, 3]).to({ dtype: "float64" });
    const ours = marginalExclusionLoss(logits, labels, { annotated: [1, 2] }).item();
    const ref = new DiceCELoss({ toOnehotY: true, softmax: true }).forward(logits, labels).item();
    assert.ok(Math.abs(ours - ref) < 1e-12, `${ours} vs ${ref}`);
  });
});

test("a liver-only site: merged background and exclusion, by hand", () => {
  // Two voxels, classes [background, liver, spleen]; voxel A is labelled liver, B background.
  const la = [0.2, 1.5, 0.7];
  const lb = [1.0, -0.3, 0.9];
  const sm = (l: number[]) => {
    const e = l.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const pa = sm(la);
  const pb = sm(lb);
  const s = 1e-5;
  const bgA = pa[0]! + pa[2]!;
  const bgB = pb[0]! + pb[2]!;
  const diceBg = (2 * bgB + s) / (bgA + bgB + 1 + s);
  const diceLiver = (2 * pa[1]! + s) / (pa[1]! + pb[1]! + 1 + s);
  const marginal = 1 - (diceBg + diceLiver) / 2;
  const ce = -(Math.log(pa[1]!) + Math.log(bgB)) / 2;
  const exclusion = (2 * pa[2]!) / (pa[2]! + pb[2]! + 1 + s);
  const expected = marginal + ce + exclusion;
  tidy(() => {
    // Layout [B=1, C=3, 1, 1, 2]: channel-major, voxels A then B.
    const logits = Tensor.fromArray(
      Float64Array.from([la[0]!, lb[0]!, la[1]!, lb[1]!, la[2]!, lb[2]!]),
      [1, 3, 1, 1, 2],
    );
    const labels = Tensor.fromArray(Float64Array.from([1, 0]), [1, 1, 1, 1, 2]);
    const ours = marginalExclusionLoss(logits, labels, { annotated: [1] }).item();
    assert.ok(Math.abs(ours - expected) < 1e-12, `${ours} vs ${expected}`);
  });
});

test("gradient matches finite differences", () => {
  manualSeed(9);
  const logits = randn([2, 4, 3, 3, 2], { dtype: "float64" });
  const labels = tidy(() => randint(0, 3, [2, 1, 3, 3, 2]).to({ dtype: "float64" })); // organs 1, 2 annotated
  gradcheck(
    "marginalExclusionLoss",
    () => marginalExclusionLoss(logits, labels, { annotated: [1, 2] }).reshape([1]),
    [["logits", logits]],
  );
  logits.dispose();
  labels.dispose();
});

test("bad annotated channels are refused", () => {
  tidy(() => {
    const logits = randn([1, 3, 2, 2, 2]);
    const labels = randint(0, 2, [1, 1, 2, 2, 2]).to({ dtype: "float32" });
    assert.throws(() => marginalExclusionLoss(logits, labels, { annotated: [] }), /at least one organ/);
    assert.throws(() => marginalExclusionLoss(logits, labels, { annotated: [3] }), /outside 1..2/);
  });
});
