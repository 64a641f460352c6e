// DiceLoss, DiceCELoss and crossEntropy: hand-computed values, and MONAI's formulas in torch
// (reference/torch_nn.py) for every option.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { setNumThreads, Tensor, tensor, tidy } from "../../src/engine/index.js";
import { crossEntropy } from "../../src/nn/losses/cross-entropy.js";
import { DiceLoss, type DiceLossOptions, oneHotChannels } from "../../src/nn/losses/dice.js";
import { DiceCELoss } from "../../src/nn/losses/dice-ce.js";
import { prng } from "../engine/gradcheck.js";
import { assertTensorMatches, runJsonReference, T, type TorchResult } from "../engine/torch-ref.js";

setNumThreads(1);

const SMOOTH = 1e-5;

describe("losses: hand-computed values", () => {
  // Probabilities p (channels 0 and 1) at two voxels, labels [0, 1].
  const p = [0.8, 0.3, 0.2, 0.7];
  test("DiceLoss on probabilities with one-hot targets", () => {
    tidy(() => {
      const input = tensor(p, [1, 2, 1, 1, 2], { dtype: "float64" });
      const labels = tensor([0, 1], [1, 1, 1, 1, 2], { dtype: "float64" });
      // channel 0: |X∩Y| = 0.8, |Y| = 1, |X| = 1.1; channel 1: 0.7, 1, 0.9.
      const d0 = 1 - (2 * 0.8 + SMOOTH) / (1 + 1.1 + SMOOTH);
      const d1 = 1 - (2 * 0.7 + SMOOTH) / (1 + 0.9 + SMOOTH);
      const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-14, `${a} vs ${b}`);
      close(new DiceLoss({ toOnehotY: true }).forward(input, labels).item(), (d0 + d1) / 2);
      close(new DiceLoss({ toOnehotY: true, includeBackground: false }).forward(input, labels).item(), d1);
      close(new DiceLoss({ toOnehotY: true, reduction: "sum" }).forward(input, labels).item(), d0 + d1);
      // squared: |X|^2 of channel 0 = 0.64 + 0.09.
      const s0 = 1 - (2 * 0.8 + SMOOTH) / (1 + 0.73 + SMOOTH);
      const s1 = 1 - (2 * 0.7 + SMOOTH) / (1 + 0.53 + SMOOTH);
      close(
        new DiceLoss({ toOnehotY: true, squaredPred: true }).forward(input, labels).item(),
        (s0 + s1) / 2,
      );
      // Jaccard: 1 - (2 I + s) / (2 (|X| + |Y| - I) + s).
      const j0 = 1 - (2 * 0.8 + SMOOTH) / (2 * (2.1 - 0.8) + SMOOTH);
      const j1 = 1 - (2 * 0.7 + SMOOTH) / (2 * (1.9 - 0.7) + SMOOTH);
      close(new DiceLoss({ toOnehotY: true, jaccard: true }).forward(input, labels).item(), (j0 + j1) / 2);
      // A perfect prediction has (almost exactly) zero loss; an empty channel counts as perfect via smoothing.
      const perfect = tensor([1, 0, 0, 1], [1, 2, 1, 1, 2], { dtype: "float64" });
      close(new DiceLoss({ toOnehotY: true }).forward(perfect, labels).item(), 0);
      const none = new DiceLoss({ toOnehotY: true, reduction: "none" }).forward(input, labels);
      assert.deepEqual(none.shape, [1, 2]);
    });
  });
  test("softmax is applied over channels first", () => {
    tidy(() => {
      const logits = [Math.log(0.8), Math.log(0.3), Math.log(0.2), Math.log(0.7)];
      const input = tensor(logits, [1, 2, 1, 1, 2], { dtype: "float64" });
      const labels = tensor([0, 1], [1, 1, 1, 1, 2], { dtype: "float64" });
      // softmax over the two channels gives p0 = 0.8, 0.3 and p1 = 0.2, 0.7 exactly as above.
      const d0 = 1 - (2 * 0.8 + SMOOTH) / (1 + 1.1 + SMOOTH);
      const d1 = 1 - (2 * 0.7 + SMOOTH) / (1 + 0.9 + SMOOTH);
      const v = new DiceLoss({ toOnehotY: true, softmax: true }).forward(input, labels).item();
      assert.ok(Math.abs(v - (d0 + d1) / 2) < 1e-14);
    });
  });
  test("crossEntropy and DiceCELoss", () => {
    tidy(() => {
      const logits = [0.5, -1, 2, 0.25, 1.5, -0.5];
      const input = tensor(logits, [1, 2, 1, 1, 3], { dtype: "float64" });
      const labels = tensor([1, 0, 1], [1, 1, 1, 1, 3], { dtype: "float64" });
      const nll = [0, 1, 2].map((v) => {
        const a = logits[v]!;
        const b = logits[3 + v]!;
        const target = [1, 0, 1][v] === 1 ? b : a;
        return -(target - Math.log(Math.exp(a) + Math.exp(b)));
      });
      const ce = (nll[0]! + nll[1]! + nll[2]!) / 3;
      assert.ok(Math.abs(crossEntropy(input, labels).item() - ce) < 1e-14);
      // Class weights: sum(w_y * nll) / sum(w_y).
      const w = tensor([0.5, 2], [2], { dtype: "float64" });
      const wce = (2 * nll[0]! + 0.5 * nll[1]! + 2 * nll[2]!) / 4.5;
      assert.ok(Math.abs(crossEntropy(input, labels, w).item() - wce) < 1e-14);
      // Targets without the channel dim are accepted too.
      assert.ok(Math.abs(crossEntropy(input, labels.squeeze(1)).item() - ce) < 1e-14);
      const dice = new DiceLoss({ softmax: true, toOnehotY: true }).forward(input, labels).item();
      const dce = new DiceCELoss({ softmax: true, toOnehotY: true, lambdaDice: 0.4, lambdaCe: 1.5 });
      assert.ok(Math.abs(dce.forward(input, labels).item() - (0.4 * dice + 1.5 * ce)) < 1e-14);
    });
  });
  test("oneHotChannels and option errors", () => {
    tidy(() => {
      const oh = oneHotChannels(tensor([2, 0, 1], [1, 1, 3]), 3);
      assert.deepEqual(oh.shape, [1, 3, 3]);
      assert.deepEqual(oh.toList(), [0, 1, 0, 0, 0, 1, 1, 0, 0]);
      assert.throws(() => new DiceLoss({ sigmoid: true, softmax: true }), /sigmoid or softmax/);
      assert.throws(
        () => new DiceLoss().forward(tensor([1, 2], [1, 2, 1]), tensor([1, 2, 3], [1, 3, 1])),
        /differ/,
      );
      assert.throws(() => crossEntropy(tensor([1, 2], [1, 2, 1]), tensor([1, 0], [1, 2, 1])), /1 channel/);
    });
  });
});

// --- against MONAI's formulas in torch
let seed = 300;
function r64(shape: number[], lo = -2, hi = 2): Tensor {
  const r = prng(seed++);
  return Tensor.fromArray(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r()),
    shape,
  );
}
function labels(shape: number[], classes: number): Tensor {
  const r = prng(seed++);
  return Tensor.fromArray(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * classes)),
    shape,
  );
}

type Monai = Record<string, unknown>;
function monaiOptions(o: DiceLossOptions): Monai {
  const m: Monai = {};
  const map: [keyof DiceLossOptions, string][] = [
    ["includeBackground", "include_background"],
    ["toOnehotY", "to_onehot_y"],
    ["sigmoid", "sigmoid"],
    ["softmax", "softmax"],
    ["squaredPred", "squared_pred"],
    ["jaccard", "jaccard"],
    ["smoothNr", "smooth_nr"],
    ["smoothDr", "smooth_dr"],
    ["batch", "batch"],
    ["reduction", "reduction"],
  ];
  for (const [ours, theirs] of map) if (o[ours] !== undefined) m[theirs] = o[ours];
  return m;
}

const x = r64([2, 3, 3, 2, 2]);
const y = labels([2, 1, 3, 2, 2], 3);
const multilabel = labels([2, 3, 3, 2, 2], 2);
const diceVariants: [string, DiceLossOptions, Tensor][] = [
  ["softmax", { softmax: true, toOnehotY: true }, y],
  ["softmax, no background", { softmax: true, toOnehotY: true, includeBackground: false }, y],
  ["softmax, squaredPred", { softmax: true, toOnehotY: true, squaredPred: true }, y],
  ["softmax, jaccard", { softmax: true, toOnehotY: true, jaccard: true }, y],
  ["softmax, batch", { softmax: true, toOnehotY: true, batch: true }, y],
  [
    "softmax, smoothing 1, sum",
    { softmax: true, toOnehotY: true, smoothNr: 1, smoothDr: 1, reduction: "sum" },
    y,
  ],
  ["softmax, reduction none", { softmax: true, toOnehotY: true, reduction: "none" }, y],
  ["sigmoid, one-hot", { sigmoid: true, toOnehotY: true }, y],
  ["sigmoid, multilabel target", { sigmoid: true }, multilabel],
  [
    "sigmoid, all options",
    { sigmoid: true, squaredPred: true, jaccard: true, batch: true, includeBackground: false },
    multilabel,
  ],
  ["no activation", { toOnehotY: true }, y],
];

describe("losses against MONAI's formulas in torch", () => {
  let refs: TorchResult[] = [];
  const w = tensor([0.3, 1, 2], [3], { dtype: "float64" });
  before(() => {
    refs = runJsonReference<TorchResult[]>("torch_nn.py", [
      ...diceVariants.map(([, o, t]) => ({
        kind: "dice",
        input: T(x),
        target: T(t),
        options: monaiOptions(o),
      })),
      { kind: "cross_entropy", input: T(x), target: T(y) },
      { kind: "cross_entropy", input: T(x), target: T(y), weight: T(w) },
      {
        kind: "dice_ce",
        input: T(x),
        target: T(y),
        options: { softmax: true, to_onehot_y: true, include_background: false },
        lambda_dice: 0.6,
        lambda_ce: 1.4,
      },
    ]);
  });
  diceVariants.forEach(([name, o, t], i) => {
    test(`DiceLoss ${name}`, () => {
      tidy(() => {
        let ours = new DiceLoss(o).forward(x, t);
        // MONAI keeps the reduced dims as size 1 with reduction "none" ([B, C, 1, 1, 1]); ours is [B, C].
        if (o.reduction === "none") ours = ours.reshape([...ours.shape, 1, 1, 1]);
        assertTensorMatches(name, ours, refs[i]!, 1e-12);
      });
    });
  });
  test("crossEntropy, plain and class-weighted", () => {
    tidy(() => {
      assertTensorMatches("ce", crossEntropy(x, y), refs[diceVariants.length]!, 1e-12);
      assertTensorMatches("weighted ce", crossEntropy(x, y, w), refs[diceVariants.length + 1]!, 1e-12);
    });
  });
  test("DiceCELoss", () => {
    tidy(() => {
      const loss = new DiceCELoss({
        softmax: true,
        toOnehotY: true,
        includeBackground: false,
        lambdaDice: 0.6,
        lambdaCe: 1.4,
      });
      assertTensorMatches("dice ce", loss.forward(x, y), refs[diceVariants.length + 2]!, 1e-12);
    });
  });
  test("float32 logits give float32 losses close to the float64 ones", () => {
    tidy(() => {
      const l32 = new DiceLoss({ softmax: true, toOnehotY: true }).forward(x.to({ dtype: "float32" }), y);
      assert.equal(l32.dtype, "float32");
      const l64 = new DiceLoss({ softmax: true, toOnehotY: true }).forward(x, y);
      assert.ok(Math.abs(l32.item() - l64.item()) < 1e-6);
    });
  });
});
