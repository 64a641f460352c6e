// Every differentiable op and layer the engine and nn offer, checked against central finite
// differences in float64 (see ./gradcheck.ts): analytic gradients from libtorch's autograd,
// reached through our bridge, must equal the numeric derivative within rtol 1e-5 / atol 1e-7.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  affineGrid,
  alias,
  avgPool3d,
  batchNorm,
  cat,
  conv2d,
  conv3d,
  convTranspose3d,
  dropout,
  elu,
  featureDropout,
  gather,
  gridSample,
  index,
  indexSelect,
  instanceNorm,
  interpolate,
  layerNorm,
  leakyRelu,
  linear,
  logSoftmax,
  manualSeed,
  maskedSelect,
  maxPool3d,
  pad,
  prelu,
  relu,
  repeat,
  setNumThreads,
  sigmoid,
  softmax,
  split,
  stack,
  Tensor,
  tensor,
  tidy,
} from "../../src/engine/index.js";
import { PReLU } from "../../src/nn/layers/activation.js";
import { Conv3d, ConvTranspose3d } from "../../src/nn/layers/conv.js";
import { BatchNorm3d, InstanceNorm3d } from "../../src/nn/layers/norm.js";
import { crossEntropy } from "../../src/nn/losses/cross-entropy.js";
import { DiceLoss, type DiceLossOptions } from "../../src/nn/losses/dice.js";
import { DiceCELoss } from "../../src/nn/losses/dice-ce.js";
import type { Module } from "../../src/nn/module.js";
import { ResidualUnit } from "../../src/nn/monai/residual-unit.js";
import { UNet } from "../../src/nn/monai/unet.js";
import { type GradcheckOptions, gradcheck, prng } from "./gradcheck.js";

setNumThreads(2);

let seedCounter = 100;
/** A float64 leaf with uniform values in [lo, hi]; awayFromZero keeps |x| >= 0.2 (off the kinks of relu, abs, ...). */
function rnd(shape: number[], o: { lo?: number; hi?: number; awayFromZero?: boolean } = {}): Tensor {
  const r = prng(seedCounter++);
  const n = shape.reduce((a, b) => a * b, 1);
  const lo = o.lo ?? -1;
  const hi = o.hi ?? 1;
  const data = Float64Array.from({ length: n }, () => {
    if (o.awayFromZero) return (r() < 0.5 ? -1 : 1) * (0.2 + 0.8 * r());
    return lo + (hi - lo) * r();
  });
  return Tensor.fromArray(data, shape);
}

function check(
  what: string,
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  o: GradcheckOptions = {},
): void {
  const n = gradcheck(
    what,
    () => fn(...inputs),
    inputs.map((t, i) => [`input${i}`, t] as const),
    o,
  );
  assert.ok(n > 0);
  for (const t of inputs) t.dispose();
}

function checkModule(what: string, m: Module, input: Tensor, o: GradcheckOptions = {}): void {
  m.to("float64");
  const params = m.namedParameters();
  assert.ok(params.length > 0, `${what} has no parameters`);
  gradcheck(what, () => m.forward(input), [["input", input], ...params], o);
  input.dispose();
  m.dispose();
}

describe("gradcheck: convolutions", () => {
  test("conv3d with stride, padding, dilation, groups", () => {
    check(
      "conv3d s2 p1 d2 g2",
      (x, w, b) => conv3d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }),
      [rnd([1, 2, 4, 4, 4]), rnd([4, 1, 2, 2, 2]), rnd([4])],
    );
    check(
      "conv3d anisotropic",
      (x, w, b) => conv3d(x, w, b, { stride: [1, 2, 1], padding: [1, 0, 1], dilation: [1, 1, 2] }),
      [rnd([2, 2, 3, 4, 4]), rnd([3, 2, 2, 3, 2]), rnd([3])],
    );
    check("conv3d no bias", (x, w) => conv3d(x, w, null), [rnd([1, 1, 3, 3, 3]), rnd([2, 1, 2, 2, 2])]);
  });
  test("convTranspose3d with stride, padding, outputPadding, dilation, groups", () => {
    check(
      "convTranspose3d s2 p1 op1 d2 g2",
      (x, w, b) =>
        convTranspose3d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, dilation: 2, groups: 2 }),
      [rnd([1, 4, 3, 3, 3]), rnd([4, 1, 2, 2, 2]), rnd([2])],
    );
    check(
      "convTranspose3d anisotropic",
      (x, w, b) =>
        convTranspose3d(x, w, b, { stride: [2, 1, 3], padding: [0, 1, 1], outputPadding: [1, 0, 2] }),
      [rnd([1, 2, 2, 3, 2]), rnd([2, 3, 2, 3, 3]), rnd([3])],
    );
  });
  test("conv2d", () => {
    check("conv2d", (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), [
      rnd([1, 2, 5, 5]),
      rnd([3, 2, 3, 3]),
      rnd([3]),
    ]);
  });
});

describe("gradcheck: normalisation", () => {
  test("batchNorm in training mode (input, weight, bias)", () => {
    const rm = tensor([0.1, -0.2, 0.3], [3], { dtype: "float64" });
    const rv = tensor([0.5, 1.5, 2], [3], { dtype: "float64" });
    check(
      "batchNorm train",
      (x, w, b) =>
        batchNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, training: true, momentum: 0.1 }),
      [rnd([2, 3, 2, 2, 2]), rnd([3]), rnd([3])],
    );
    check("batchNorm train, no running stats", (x) => batchNorm(x, { training: true }), [
      rnd([3, 2, 2, 1, 2]),
    ]);
    check(
      "batchNorm eval",
      (x, w, b) => batchNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, training: false }),
      [rnd([2, 3, 2, 2, 2]), rnd([3]), rnd([3])],
    );
    rm.dispose();
    rv.dispose();
  });
  test("instanceNorm (input, weight, bias)", () => {
    check("instanceNorm", (x, w, b) => instanceNorm(x, { weight: w, bias: b }), [
      rnd([2, 3, 2, 2, 3]),
      rnd([3]),
      rnd([3]),
    ]);
    check("instanceNorm, no affine", (x) => instanceNorm(x), [rnd([1, 2, 3, 2, 2])]);
  });
  test("layerNorm", () => {
    check("layerNorm", (x, w, b) => layerNorm(x, [4], w, b), [rnd([3, 4]), rnd([4]), rnd([4])]);
  });
});

describe("gradcheck: activations and dropout", () => {
  const unary: [string, (x: Tensor) => Tensor, { lo?: number; hi?: number; awayFromZero?: boolean }][] = [
    ["relu", (x) => relu(x), { awayFromZero: true }],
    ["Tensor.relu", (x) => x.relu(), { awayFromZero: true }],
    ["leakyRelu", (x) => leakyRelu(x, 0.2), { awayFromZero: true }],
    ["elu", (x) => elu(x, 1.3), { awayFromZero: true }],
    ["sigmoid", (x) => sigmoid(x), {}],
    ["Tensor.sigmoid", (x) => x.sigmoid(), {}],
    ["tanh", (x) => x.tanh(), {}],
    ["exp", (x) => x.exp(), {}],
    ["log", (x) => x.log(), { lo: 0.3, hi: 2 }],
    ["pow scalar", (x) => x.pow(3), {}],
    ["pow fractional", (x) => x.pow(1.7), { lo: 0.3, hi: 2 }],
    ["sqrt", (x) => x.sqrt(), { lo: 0.3, hi: 2 }],
    ["abs", (x) => x.abs(), { awayFromZero: true }],
    ["neg", (x) => x.neg(), {}],
    ["clamp", (x) => x.clamp(-0.1, 0.15), { awayFromZero: true }],
    ["norm", (x) => x.norm(), {}],
  ];
  for (const [name, fn, range] of unary) {
    test(name, () => check(name, fn, [rnd([2, 3, 4], range)]));
  }
  test("prelu (input, weight)", () => {
    check("prelu per channel", (x, w) => prelu(x, w), [
      rnd([2, 3, 2, 2, 2], { awayFromZero: true }),
      rnd([3]),
    ]);
    check("prelu shared", (x, w) => prelu(x, w), [rnd([2, 3, 2, 2], { awayFromZero: true }), rnd([1])]);
  });
  test("pow with a tensor exponent (base and exponent)", () => {
    check("pow tensor", (x, e) => x.pow(e), [rnd([2, 3], { lo: 0.5, hi: 2 }), rnd([3])]);
  });
  test("softmax and logSoftmax", () => {
    check("softmax dim 1", (x) => softmax(x, 1), [rnd([2, 3, 2, 2, 2])]);
    check("logSoftmax dim -1", (x) => logSoftmax(x, -1), [rnd([2, 3, 4])]);
  });
  test("dropout with p=0 and with a fixed mask", () => {
    check("dropout p=0", (x) => dropout(x, 0, true), [rnd([2, 3, 4])]);
    // Reseeding before each evaluation fixes the mask, which does not depend on x.
    check(
      "dropout p=0.4, fixed mask",
      (x) => {
        manualSeed(5);
        return dropout(x, 0.4, true);
      },
      [rnd([2, 3, 4])],
    );
    check(
      "featureDropout p=0.5, fixed mask",
      (x) => {
        manualSeed(9);
        return featureDropout(x, 0.5, true);
      },
      [rnd([2, 4, 2, 2, 2])],
    );
    check("dropout eval", (x) => dropout(x, 0.5, false), [rnd([3, 4])]);
  });
});

describe("gradcheck: arithmetic, reductions, matmul", () => {
  test("add/sub/mul/div with broadcasting (both operands)", () => {
    const shapes: [number[], number[]][] = [
      [
        [2, 3, 1, 4],
        [3, 5, 1],
      ],
      [[4], [2, 3, 4]],
    ];
    for (const [sa, sb] of shapes) {
      check(`add ${sa} ${sb}`, (a, b) => a.add(b), [rnd(sa), rnd(sb)]);
      check(`add alpha ${sa} ${sb}`, (a, b) => a.add(b, -2.5), [rnd(sa), rnd(sb)]);
      check(`sub ${sa} ${sb}`, (a, b) => a.sub(b, 0.5), [rnd(sa), rnd(sb)]);
      check(`mul ${sa} ${sb}`, (a, b) => a.mul(b), [rnd(sa), rnd(sb)]);
      check(`div ${sa} ${sb}`, (a, b) => a.div(b), [rnd(sa), rnd(sb, { awayFromZero: true })]);
    }
    check("scalar operands", (a) => a.add(1.5).sub(0.25).mul(3).div(7), [rnd([3, 2])]);
  });
  test("where (both branches)", () => {
    const cond = tensor([1, 0, 0, 1, 1, 0], [2, 3], { dtype: "bool" });
    check("where", (a, b) => a.where(cond, b), [rnd([2, 3]), rnd([3])]);
    cond.dispose();
  });
  test("sum/mean/max/min over dims", () => {
    check("sum all", (x) => x.sum(), [rnd([2, 3, 4])]);
    check("sum dims", (x) => x.sum([0, 2]), [rnd([2, 3, 4])]);
    check("sum keepdim", (x) => x.sum(1, true), [rnd([2, 3, 4])]);
    check("mean all", (x) => x.mean(), [rnd([2, 3, 4])]);
    check("mean dims", (x) => x.mean([1, 2], true), [rnd([2, 3, 4])]);
    check("max all", (x) => x.max(), [rnd([2, 3, 4])]);
    check("max dims", (x) => x.max([0, 2]), [rnd([2, 3, 4])]);
    check("max dim keepdim", (x) => x.max(1, true), [rnd([2, 3, 4])]);
    check("min dims", (x) => x.min(-1), [rnd([2, 3, 4])]);
  });
  test("matmul", () => {
    check("matmul 2D", (a, b) => a.matmul(b), [rnd([3, 4]), rnd([4, 2])]);
    check("matmul batched broadcast", (a, b) => a.matmul(b), [rnd([2, 3, 4]), rnd([4, 5])]);
    check("matmul matrix-vector", (a, b) => a.matmul(b), [rnd([3, 4]), rnd([4])]);
    check("linear", (x, w, b) => linear(x, w, b), [rnd([2, 4]), rnd([3, 4]), rnd([3])]);
  });
});

describe("gradcheck: layout", () => {
  test("cat and stack (every input)", () => {
    check("cat dim 1", (a, b) => cat([a, b], 1), [rnd([2, 3, 2]), rnd([2, 1, 2])]);
    check("cat dim 0", (a, b, c) => cat([a, b, c]), [rnd([1, 3]), rnd([2, 3]), rnd([1, 3])]);
    check("stack dim 2", (a, b) => stack([a, b], 2), [rnd([2, 3]), rnd([2, 3])]);
  });
  test("pad constant, reflect, replicate", () => {
    const p = [1, 2, 2, 1, 1, 0];
    check("pad constant", (x) => pad(x, p, "constant", 0.5), [rnd([1, 2, 3, 4, 4])]);
    check("pad reflect", (x) => pad(x, p, "reflect"), [rnd([1, 2, 3, 4, 4])]);
    check("pad replicate", (x) => pad(x, p, "replicate"), [rnd([1, 2, 3, 4, 4])]);
    check("pad circular", (x) => pad(x, p, "circular"), [rnd([1, 2, 3, 4, 4])]);
  });
  test("permute/reshape/flip/slice/narrow and other views", () => {
    check("permute", (x) => x.permute([2, 0, 1]), [rnd([2, 3, 4])]);
    check("reshape", (x) => x.reshape([4, 6]), [rnd([2, 3, 4])]);
    check("view + transpose", (x) => x.view([6, 4]).transpose(0, 1), [rnd([2, 3, 4])]);
    check("flip", (x) => x.flip([0, 2]), [rnd([2, 3, 4])]);
    check("slice with step", (x) => x.slice(2, 1, 4, 2), [rnd([2, 3, 5])]);
    check("slice negative", (x) => x.slice(1, -2), [rnd([2, 3, 5])]);
    check("narrow", (x) => x.narrow(1, 1, 2), [rnd([2, 3, 5])]);
    check("select", (x) => x.select(2, 3), [rnd([2, 3, 5])]);
    check("squeeze/unsqueeze/flatten", (x) => x.squeeze(1).unsqueeze(0).flatten(1), [rnd([2, 1, 3, 2])]);
    check("expand", (x) => x.expand([4, 3, 2]), [rnd([3, 1])]);
    check("contiguous/clone of a permuted view", (x) => x.permute([1, 0]).contiguous().clone(), [
      rnd([3, 4]),
    ]);
    check("alias", (x) => alias(x), [rnd([3, 2])]);
    check("split", (x) => split(x, [1, 3], 1)[1]!, [rnd([2, 4])]);
    check("repeat", (x) => repeat(x, [2, 1, 3]), [rnd([2, 3])]);
  });
  test("indexing: indexSelect, gather, index, maskedSelect", () => {
    const idx = tensor([2, 0, 2], [3], { dtype: "int64" });
    check("indexSelect", (x) => indexSelect(x, 1, idx), [rnd([2, 4])]);
    const g = tensor([0, 3, 1, 1, 2, 0], [2, 3], { dtype: "int64" });
    check("gather", (x) => gather(x, 1, g), [rnd([2, 4])]);
    check("index", (x) => index(x, [null, idx]), [rnd([2, 4])]);
    const m = tensor([1, 0, 1, 1, 0, 0, 1, 0], [2, 4], { dtype: "bool" });
    check("maskedSelect", (x) => maskedSelect(x, m), [rnd([2, 4])]);
    idx.dispose();
    g.dispose();
    m.dispose();
  });
  test("pooling", () => {
    check("maxPool3d", (x) => maxPool3d(x, 2), [rnd([1, 2, 4, 4, 2])]);
    check("avgPool3d", (x) => avgPool3d(x, [2, 2, 1], [1, 2, 1]), [rnd([1, 2, 3, 4, 2])]);
  });
});

describe("gradcheck: resampling", () => {
  test("interpolate trilinear, alignCorners true and false; nearest", () => {
    for (const alignCorners of [true, false]) {
      check(
        `trilinear size alignCorners=${alignCorners}`,
        (x) => interpolate(x, { size: [5, 3, 4], mode: "trilinear", alignCorners }),
        [rnd([1, 2, 3, 2, 3])],
      );
      check(
        `trilinear scale alignCorners=${alignCorners}`,
        (x) => interpolate(x, { scaleFactor: [2, 0.5, 1.5], mode: "trilinear", alignCorners }),
        [rnd([1, 2, 2, 4, 2])],
      );
    }
    check("nearest", (x) => interpolate(x, { size: [4, 3, 5], mode: "nearest" }), [rnd([1, 2, 2, 2, 3])]);
  });
  test("affineGrid + gridSample (bilinear; zeros, border, reflection), wrt input and theta", () => {
    // Near-identity with irrational-looking entries: round ones (0.9 + 0.1) put samples exactly on
    // pixel centres or borders, where bilinear sampling has kinks and finite differences average
    // the two one-sided slopes.
    const r = prng(31);
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    for (const paddingMode of ["zeros", "border", "reflection"] as const) {
      for (const alignCorners of [false, true]) {
        const theta = Tensor.fromArray(
          Float64Array.from(identity, (v) => 1.1 * v + 0.3 * (r() - 0.5)),
          [1, 3, 4],
        );
        check(
          `gridSample ${paddingMode} alignCorners=${alignCorners}`,
          (x, th) =>
            gridSample(x, affineGrid(th, [1, 2, 3, 3, 4], alignCorners), { paddingMode, alignCorners }),
          [rnd([1, 2, 3, 4, 3]), theta],
        );
      }
    }
    check("gridSample nearest wrt input", (x, grid) => gridSample(x, grid, { mode: "nearest" }), [
      rnd([1, 2, 3, 3, 3]),
      rnd([1, 2, 2, 3, 3], { lo: -0.9, hi: 0.9 }),
    ]);
  });
});

describe("gradcheck: losses", () => {
  const labels = (shape: number[], classes: number) => {
    const r = prng(77);
    return Tensor.fromArray(
      Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * classes)),
      shape,
    );
  };
  const variants: [string, DiceLossOptions][] = [
    ["softmax", { softmax: true, toOnehotY: true }],
    ["softmax, includeBackground false", { softmax: true, toOnehotY: true, includeBackground: false }],
    ["softmax, squaredPred", { softmax: true, toOnehotY: true, squaredPred: true }],
    ["softmax, jaccard", { softmax: true, toOnehotY: true, jaccard: true }],
    ["softmax, batch", { softmax: true, toOnehotY: true, batch: true }],
    [
      "softmax, sum reduction, smoothing",
      { softmax: true, toOnehotY: true, reduction: "sum", smoothNr: 0.3, smoothDr: 0.7 },
    ],
    ["sigmoid", { sigmoid: true, toOnehotY: true }],
    [
      "sigmoid, squaredPred, jaccard, batch",
      { sigmoid: true, toOnehotY: true, squaredPred: true, jaccard: true, batch: true },
    ],
  ];
  for (const [name, o] of variants) {
    test(`DiceLoss ${name}`, () => {
      const y = labels([2, 1, 2, 2, 2], 3);
      const loss = new DiceLoss(o);
      check(`DiceLoss ${name}`, (x) => loss.forward(x, y), [rnd([2, 3, 2, 2, 2])]);
      y.dispose();
    });
  }
  test("DiceLoss sigmoid with a one-hot target given directly", () => {
    const y = labels([2, 2, 2, 2, 1], 2);
    const loss = new DiceLoss({ sigmoid: true });
    check("DiceLoss sigmoid multilabel", (x) => loss.forward(x, y), [rnd([2, 2, 2, 2, 1])]);
    y.dispose();
  });
  test("crossEntropy (plain, class weights) and DiceCELoss", () => {
    const y = labels([2, 1, 2, 2, 2], 3);
    check("crossEntropy", (x) => crossEntropy(x, y), [rnd([2, 3, 2, 2, 2])]);
    const w = tensor([0.2, 1, 2.5], [3], { dtype: "float64" });
    check("crossEntropy weighted", (x) => crossEntropy(x, y, w), [rnd([2, 3, 2, 2, 2])]);
    const dce = new DiceCELoss({ softmax: true, toOnehotY: true, lambdaDice: 0.7, lambdaCe: 1.3 });
    check("DiceCELoss", (x) => dce.forward(x, y), [rnd([2, 3, 2, 2, 2])]);
    y.dispose();
    w.dispose();
  });
});

describe("gradcheck: layers (input and every parameter)", () => {
  test("Conv3d", () => {
    manualSeed(1);
    checkModule("Conv3d", new Conv3d(2, 3, 3, { stride: 2, padding: 1 }), rnd([1, 2, 4, 4, 4]));
    checkModule(
      "Conv3d groups, dilation",
      new Conv3d(4, 2, 2, { dilation: 2, groups: 2 }),
      rnd([1, 4, 3, 3, 3]),
    );
  });
  test("ConvTranspose3d", () => {
    manualSeed(2);
    checkModule(
      "ConvTranspose3d",
      new ConvTranspose3d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
      rnd([1, 3, 2, 2, 2]),
    );
    checkModule(
      "ConvTranspose3d groups, dilation",
      new ConvTranspose3d(4, 2, 2, { groups: 2, dilation: 2 }),
      rnd([1, 4, 2, 2, 2]),
    );
  });
  test("BatchNorm3d in train and eval mode", () => {
    const bn = new BatchNorm3d(3);
    checkModule("BatchNorm3d train", bn, rnd([2, 3, 2, 2, 2]));
    const bnEval = new BatchNorm3d(3).to("float64");
    tidy(() => bnEval.forward(rnd([2, 3, 2, 2, 2], { lo: 0, hi: 2 }))); // non-trivial running stats
    bnEval.eval();
    checkModule("BatchNorm3d eval", bnEval, rnd([2, 3, 2, 2, 2]));
  });
  test("InstanceNorm3d (affine)", () => {
    checkModule("InstanceNorm3d", new InstanceNorm3d(3, { affine: true }), rnd([2, 3, 2, 2, 2]));
  });
  test("PReLU", () => {
    checkModule("PReLU single", new PReLU(), rnd([2, 3, 4], { awayFromZero: true }));
    checkModule("PReLU per channel", new PReLU(3, 0.1), rnd([2, 3, 2, 2], { awayFromZero: true }));
  });
  test("ResidualUnit (strided conv residual, and identity residual)", () => {
    manualSeed(3);
    const base = {
      act: "prelu",
      norm: "batch",
      dropout: 0,
      bias: true,
      adnOrdering: "NDA",
      kernelSize: 3,
    } as const;
    checkModule(
      "ResidualUnit strided",
      new ResidualUnit(2, 3, { ...base, strides: 2, subunits: 2, lastConvOnly: false }),
      rnd([2, 2, 4, 4, 4]),
      { maxPerTensor: 24 },
    );
    checkModule(
      "ResidualUnit identity, instance norm, last conv only",
      new ResidualUnit(2, 2, { ...base, norm: "instance", strides: 1, subunits: 1, lastConvOnly: true }),
      rnd([1, 2, 3, 3, 3]),
      { maxPerTensor: 24 },
    );
  });
  test("tiny UNet (input and all parameters)", () => {
    manualSeed(4);
    const net = new UNet({
      inChannels: 1,
      outChannels: 2,
      channels: [2, 3, 4],
      strides: [2, 1],
      numResUnits: 1,
      norm: "batch",
    });
    checkModule("UNet", net, rnd([2, 1, 4, 4, 4]), { maxPerTensor: 12 });
  });
});
