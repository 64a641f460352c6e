// Known values for every op family of the engine: hand-computed ones, and PyTorch's for the same
// inputs (reference/torch_ops.py, all cases in one Python run). Also dtypes, copy-free memory
// sharing, seeding, threads, and libtorch errors surfacing as JS Errors.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  affineGrid,
  arange,
  assertDevice,
  avgPool3d,
  batchNorm,
  cat,
  conv3d,
  convTranspose3d,
  cudaAvailable,
  elu,
  empty,
  eye,
  full,
  gather,
  getNumThreads,
  gridSample,
  index,
  indexSelect,
  instanceNorm,
  interpolate,
  layerNorm,
  leakyRelu,
  linear,
  linspace,
  logSoftmax,
  manualSeed,
  maskedSelect,
  maxPool3d,
  nonzero,
  normal_,
  oneHot,
  ones,
  pad,
  prelu,
  rand,
  randint,
  randn,
  randperm,
  repeat,
  scalar,
  setNumThreads,
  softmax,
  split,
  stack,
  Tensor,
  tensor,
  tidy,
  uniform_,
  zeros,
} from "../../src/engine/index.js";
import { prng } from "./gradcheck.js";
import { assertTensorMatches, D, runTorchCases, T, type TorchCase, type TorchResult } from "./torch-ref.js";

setNumThreads(1);

let seed = 500;
/** float32 values in [lo, hi] from a fixed PRNG (exactly representable, so PyTorch gets the same). */
function r32(shape: number[], lo = -2, hi = 2): Tensor {
  const r = prng(seed++);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray(
    Float32Array.from({ length: n }, () => lo + (hi - lo) * r()),
    shape,
  );
}
function ints(values: number[], shape?: number[]): Tensor {
  return tensor(values, shape, { dtype: "int64" });
}

interface OpCase {
  id: string;
  torch: Omit<TorchCase, "id">;
  ours: () => Tensor | Tensor[];
  /** Relative tolerance on float results (0 = exact). */
  rtol?: number;
}

const cases: OpCase[] = [];
function add(id: string, ours: () => Tensor | Tensor[], torch: Omit<TorchCase, "id">, rtol = 1e-6): void {
  cases.push({ id, ours, torch, rtol });
}

// --- arithmetic with broadcasting, unary math
{
  const a = r32([2, 3, 1, 4]);
  const b = r32([3, 5, 1]);
  const pos = r32([2, 3], 0.1, 3);
  add("add", () => a.add(b), { fn: "torch.add", args: [T(a), T(b)] });
  add("add alpha", () => a.add(b, -2.5), { fn: "torch.add", args: [T(a), T(b)], kwargs: { alpha: -2.5 } });
  add("sub", () => a.sub(b), { fn: "torch.sub", args: [T(a), T(b)] });
  add("mul", () => a.mul(b), { fn: "torch.mul", args: [T(a), T(b)] });
  add("div", () => a.div(b), { fn: "torch.div", args: [T(a), T(b)] });
  add("pow tensor", () => pos.pow(b.narrow(0, 0, 1).reshape([5]).narrow(0, 0, 3)), {
    fn: "torch.pow",
    args: [T(pos), T(b.narrow(0, 0, 1).reshape([5]).narrow(0, 0, 3))],
  });
  add("pow scalar", () => pos.pow(2.5), { fn: "torch.pow", args: [T(pos), 2.5] });
  for (const f of ["neg", "exp", "sigmoid", "tanh", "relu", "floor", "round", "abs"] as const) {
    add(f, () => a[f](), { fn: `torch.${f}`, args: [T(a)] });
  }
  add("log", () => pos.log(), { fn: "torch.log", args: [T(pos)] });
  add("sqrt", () => pos.sqrt(), { fn: "torch.sqrt", args: [T(pos)] });
  const i = ints([1, 2, 3, -7]);
  add("int64 / 2 is true division", () => i.div(2), { fn: "torch.div", args: [T(i), 2] });
  add("int64 * 2.5 promotes to float", () => i.mul(2.5), { fn: "torch.mul", args: [T(i), 2.5] });
  add("int64 + int64 stays int64", () => i.add(i), { fn: "torch.add", args: [T(i), T(i)] });
  add("float64 + float32 promotes", () => a.to({ dtype: "float64" }).add(b), {
    fn: "torch.add",
    args: [{ ...T(a), dtype: "float64" }, T(b)],
  });
}

// --- comparisons, logic, where, clamp
{
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([3, 2, 1], [3]);
  for (const f of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
    add(`${f} tensor`, () => a[f](b), { fn: `torch.${f}`, args: [T(a), T(b)] });
    add(`${f} scalar`, () => a[f](3), { fn: `torch.${f}`, args: [T(a), 3] });
  }
  const p = tensor([1, 0, 1, 0], [4], { dtype: "bool" });
  const q = tensor([1, 1, 0, 0], [4], { dtype: "bool" });
  add("logical_and", () => p.logicalAnd(q), { fn: "torch.logical_and", args: [T(p), T(q)] });
  add("logical_or", () => p.logicalOr(q), { fn: "torch.logical_or", args: [T(p), T(q)] });
  add("logical_not", () => p.logicalNot(), { fn: "torch.logical_not", args: [T(p)] });
  add("all", () => p.all(), { fn: "torch.all", args: [T(p)] });
  add("any", () => p.any(), { fn: "torch.any", args: [T(p)] });
  const w = r32([2, 3]);
  const cond = a.gt(2.5);
  add("where", () => w.where(cond, b), { fn: "torch.where", args: [T(cond), T(w), T(b)] });
  add("clamp both", () => w.clamp(-0.5, 0.7), { fn: "torch.clamp", args: [T(w), -0.5, 0.7] });
  add("clamp min", () => w.clamp(0), { fn: "torch.clamp", args: [T(w)], kwargs: { min: 0 } });
  add("clamp max", () => w.clamp(undefined, 0.3), { fn: "torch.clamp", args: [T(w)], kwargs: { max: 0.3 } });
}

// --- reductions
{
  const x = r32([2, 3, 4]);
  add("sum all", () => x.sum(), { fn: "torch.sum", args: [T(x)] });
  add("sum dims", () => x.sum([0, 2]), { fn: "torch.sum", args: [T(x), [0, 2]] });
  add("sum keepdim float64", () => x.sum(1, true, "float64"), {
    fn: "torch.sum",
    args: [T(x), [1]],
    kwargs: { keepdim: true, dtype: D("float64") },
  });
  add("mean all", () => x.mean(), { fn: "torch.mean", args: [T(x)] });
  add("mean dims", () => x.mean([1, 2], true), { fn: "torch.mean", args: [T(x), [1, 2], true] });
  add("max all", () => x.max(), { fn: "torch.max", args: [T(x)] });
  add("max dims", () => x.max([0, 2]), { fn: "torch.amax", args: [T(x), [0, 2]] });
  add("min dim keepdim", () => x.min(1, true), { fn: "torch.amin", args: [T(x), 1, true] });
  add("min all", () => x.min(), { fn: "torch.min", args: [T(x)] });
  add("argmax all", () => x.argmax(), { fn: "torch.argmax", args: [T(x)] });
  add("argmax dim", () => x.argmax(1), { fn: "torch.argmax", args: [T(x), 1] });
  add("argmax keepdim", () => x.argmax(2, true), { fn: "torch.argmax", args: [T(x), 2, true] });
  add("norm", () => x.norm(), { fn: "torch.linalg.vector_norm", args: [T(x)] });
  add("norm ord 1", () => x.norm(1), { fn: "torch.linalg.vector_norm", args: [T(x), 1] });
}

// --- matmul, oneHot
{
  const m = r32([3, 4]);
  const n = r32([4, 2]);
  const bm = r32([2, 3, 4]);
  const v = r32([4]);
  add("matmul 2D", () => m.matmul(n), { fn: "torch.matmul", args: [T(m), T(n)] }, 1e-5);
  add("matmul batched", () => bm.matmul(n), { fn: "torch.matmul", args: [T(bm), T(n)] }, 1e-5);
  add("matmul vector", () => m.matmul(v), { fn: "torch.matmul", args: [T(m), T(v)] }, 1e-5);
  add("matmul dot", () => v.matmul(v), { fn: "torch.matmul", args: [T(v), T(v)] }, 1e-5);
  const labels = ints([0, 2, 1, 2, 0, 1], [2, 3]);
  add("oneHot", () => oneHot(labels, 4), { fn: "F.one_hot", args: [T(labels), 4] });
}

// --- layout
{
  const x = r32([2, 3, 4]);
  const y = r32([2, 1, 4]);
  add("cat", () => cat([x, y, x], 1), { fn: "torch.cat", args: [[T(x), T(y), T(x)], 1] });
  add("stack", () => stack([x, x.neg()], 2), { fn: "torch.stack", args: [[T(x), T(x.neg())], 2] });
  add("narrow", () => x.narrow(2, 1, 2), { fn: "torch.narrow", args: [T(x), 2, 1, 2] });
  add("select", () => x.select(1, 2), { fn: "torch.select", args: [T(x), 1, 2] });
  add("permute", () => x.permute([2, 0, 1]), { fn: "method.permute", args: [T(x), 2, 0, 1] });
  add("permute + contiguous", () => x.permute([2, 0, 1]).contiguous(), {
    fn: "method.contiguous",
    args: [T(x.permute([2, 0, 1]).contiguous())],
  });
  add("reshape", () => x.reshape([4, -1]), { fn: "torch.reshape", args: [T(x), [4, -1]] });
  add("transpose", () => x.transpose(0, 2), { fn: "torch.transpose", args: [T(x), 0, 2] });
  add("flip", () => x.flip([0, 2]), { fn: "torch.flip", args: [T(x), [0, 2]] });
  add("flatten", () => x.flatten(1), { fn: "torch.flatten", args: [T(x), 1] });
  add("squeeze", () => y.squeeze(), { fn: "torch.squeeze", args: [T(y)] });
  add("squeeze dim", () => y.squeeze(1), { fn: "torch.squeeze", args: [T(y), 1] });
  add("unsqueeze", () => y.unsqueeze(-1), { fn: "torch.unsqueeze", args: [T(y), -1] });
  add("expand", () => y.expand([2, 5, 4]), { fn: "method.expand", args: [T(y), 2, 5, 4] });
  add("repeat", () => repeat(y, [1, 2, 3]), { fn: "method.repeat", args: [T(y), 1, 2, 3] });
  add("split", () => split(x, [1, 3], 2), { fn: "torch.split", args: [T(x), [1, 3], 2] });
  const idx = ints([2, 0, 2]);
  add("indexSelect", () => indexSelect(x, 2, idx), { fn: "torch.index_select", args: [T(x), 2, T(idx)] });
  const g = ints([0, 3, 1, 1, 2, 0, 3, 3, 0, 1, 2, 2], [2, 3, 2]);
  add("gather", () => gather(x, 2, g), { fn: "torch.gather", args: [T(x), 2, T(g)] });
  const mask = x.gt(0);
  add("maskedSelect", () => maskedSelect(x, mask), { fn: "torch.masked_select", args: [T(x), T(mask)] });
  add("nonzero", () => nonzero(mask), { fn: "torch.nonzero", args: [T(mask)] });
  const v = r32([1, 2, 3, 4, 4]);
  for (const mode of ["constant", "reflect", "replicate", "circular"] as const) {
    add(`pad ${mode}`, () => pad(v, [1, 2, 2, 1, 1, 0], mode, mode === "constant" ? 0.5 : 0), {
      fn: "F.pad",
      args: [T(v), [1, 2, 2, 1, 1, 0], mode],
      kwargs: mode === "constant" ? { value: 0.5 } : {},
    });
  }
}

// --- neural ops (values; their gradients are in gradcheck.test.ts)
{
  const x = r32([1, 4, 4, 5, 3]);
  const w = r32([6, 2, 3, 2, 3]);
  const b = r32([6]);
  add(
    "conv3d",
    () => conv3d(x, w, b, { stride: [2, 1, 1], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }),
    {
      fn: "F.conv3d",
      args: [T(x), T(w), T(b), [2, 1, 1], [1, 0, 1], [1, 2, 1], 2],
    },
    1e-5,
  );
  const wt = r32([4, 3, 2, 3, 2]);
  add(
    "convTranspose3d",
    () => convTranspose3d(x, wt, b.narrow(0, 0, 6), { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    {
      fn: "F.conv_transpose3d",
      args: [T(x), T(wt), T(b), 2, 1, 1, 2],
    },
    1e-5,
  );
  const rm = r32([4]);
  const rv = r32([4], 0.5, 2);
  const gamma = r32([4]);
  add(
    "batchNorm eval",
    () =>
      batchNorm(x, {
        runningMean: rm,
        runningVar: rv,
        weight: gamma,
        bias: b.narrow(0, 0, 4),
        training: false,
      }),
    {
      fn: "F.batch_norm",
      args: [T(x), T(rm), T(rv), T(gamma), T(b.narrow(0, 0, 4)), false],
    },
    1e-5,
  );
  add(
    "batchNorm train",
    () => batchNorm(x, { weight: gamma, training: true }),
    {
      fn: "F.batch_norm",
      args: [T(x), null, null, T(gamma), null, true],
    },
    1e-5,
  );
  add(
    "instanceNorm",
    () => instanceNorm(x, { weight: gamma }),
    {
      fn: "F.instance_norm",
      args: [T(x)],
      kwargs: { weight: T(gamma) },
    },
    1e-5,
  );
  add(
    "layerNorm",
    () => layerNorm(x, [3], gamma.narrow(0, 0, 3)),
    {
      fn: "F.layer_norm",
      args: [T(x), [3], T(gamma.narrow(0, 0, 3))],
    },
    1e-5,
  );
  const slope = r32([4], 0, 0.5);
  add("prelu", () => prelu(x, slope), { fn: "F.prelu", args: [T(x), T(slope)] });
  add("leakyRelu", () => leakyRelu(x, 0.2), { fn: "F.leaky_relu", args: [T(x), 0.2] });
  add("elu", () => elu(x, 1.5), { fn: "F.elu", args: [T(x), 1.5] });
  add("softmax", () => softmax(x, 1), { fn: "torch.softmax", args: [T(x), 1] });
  add("logSoftmax", () => logSoftmax(x, -1), { fn: "torch.log_softmax", args: [T(x), -1] });
  add("maxPool3d", () => maxPool3d(x, 2), { fn: "F.max_pool3d", args: [T(x), 2] });
  add("avgPool3d", () => avgPool3d(x, [2, 2, 1], 1), { fn: "F.avg_pool3d", args: [T(x), [2, 2, 1], 1] });
  const lw = r32([2, 3]);
  add("linear", () => linear(x, lw), { fn: "F.linear", args: [T(x), T(lw)] });
}

// --- resampling
{
  const x = r32([1, 2, 3, 4, 2]);
  add("interpolate nearest size", () => interpolate(x, { size: [5, 3, 4], mode: "nearest" }), {
    fn: "F.interpolate",
    args: [T(x)],
    kwargs: { size: [5, 3, 4], mode: "nearest" },
  });
  add("interpolate nearest scale", () => interpolate(x, { scaleFactor: 2, mode: "nearest" }), {
    fn: "F.interpolate",
    args: [T(x)],
    kwargs: { scale_factor: 2, mode: "nearest" },
  });
  for (const alignCorners of [true, false]) {
    add(
      `interpolate trilinear size alignCorners=${alignCorners}`,
      () => interpolate(x, { size: [5, 3, 4], mode: "trilinear", alignCorners }),
      {
        fn: "F.interpolate",
        args: [T(x)],
        kwargs: { size: [5, 3, 4], mode: "trilinear", align_corners: alignCorners },
      },
    );
    add(
      `interpolate trilinear scale alignCorners=${alignCorners}`,
      () => interpolate(x, { scaleFactor: [2, 0.5, 1.5], mode: "trilinear", alignCorners }),
      {
        fn: "F.interpolate",
        args: [T(x)],
        kwargs: { scale_factor: [2, 0.5, 1.5], mode: "trilinear", align_corners: alignCorners },
      },
    );
  }
  const theta = tensor([0.9, 0.2, -0.1, 0.05, -0.15, 1.1, 0.1, -0.2, 0.1, 0.05, 0.8, 0.3], [1, 3, 4]);
  for (const alignCorners of [true, false]) {
    add(`affineGrid alignCorners=${alignCorners}`, () => affineGrid(theta, [1, 2, 3, 4, 5], alignCorners), {
      fn: "F.affine_grid",
      args: [T(theta), [1, 2, 3, 4, 5]],
      kwargs: { align_corners: alignCorners },
    });
    for (const mode of ["bilinear", "nearest"] as const) {
      for (const paddingMode of ["zeros", "border", "reflection"] as const) {
        const grid = affineGrid(theta, [1, 2, 3, 4, 5], alignCorners);
        add(
          `gridSample ${mode} ${paddingMode} alignCorners=${alignCorners}`,
          () => gridSample(x, grid, { mode, paddingMode, alignCorners }),
          {
            fn: "F.grid_sample",
            args: [T(x), T(grid)],
            kwargs: { mode, padding_mode: paddingMode, align_corners: alignCorners },
          },
          1e-5,
        );
      }
    }
  }
}

// --- seeded random numbers equal torch.manual_seed(s)'s, and creation
function seeded(s: number, fn: () => Tensor): Tensor {
  manualSeed(s);
  return fn();
}
{
  add("randn seed 0", () => seeded(0, () => randn([3, 4])), { fn: "torch.randn", args: [3, 4], seed: 0 }, 0);
  add(
    "randn float64 seed 42",
    () => seeded(42, () => randn([5], { dtype: "float64" })),
    {
      fn: "torch.randn",
      args: [5],
      kwargs: { dtype: D("float64") },
      seed: 42,
    },
    0,
  );
  add(
    "randn large (vectorised path) seed 7",
    () => seeded(7, () => randn([40])),
    { fn: "torch.randn", args: [40], seed: 7 },
    0,
  );
  add("rand seed 3", () => seeded(3, () => rand([2, 5])), { fn: "torch.rand", args: [2, 5], seed: 3 }, 0);
  add(
    "randint seed 11",
    () => seeded(11, () => randint(-3, 9, [7])),
    { fn: "torch.randint", args: [-3, 9, [7]], seed: 11 },
    0,
  );
  add(
    "randperm seed 5",
    () => seeded(5, () => randperm(10)),
    { fn: "torch.randperm", args: [10], seed: 5 },
    0,
  );
  const z = zeros([6]);
  add(
    "normal_ seed 8",
    () => seeded(8, () => normal_(zeros([6]), 2, 0.5)),
    { fn: "method.normal_", args: [T(z), 2, 0.5], seed: 8 },
    0,
  );
  add(
    "uniform_ seed 9",
    () => seeded(9, () => uniform_(zeros([6]), -1, 3)),
    { fn: "method.uniform_", args: [T(z), -1, 3], seed: 9 },
    0,
  );
  add("arange", () => arange(1, 4, 0.5), { fn: "torch.arange", args: [1, 4, 0.5] }, 0);
  add("arange int64", () => arange(0, 5, 1, { dtype: "int64" }), { fn: "torch.arange", args: [0, 5, 1] }, 0);
  add("linspace", () => linspace(-1, 1, 7), { fn: "torch.linspace", args: [-1, 1, 7] }, 0);
  add("eye", () => eye(3), { fn: "torch.eye", args: [3] }, 0);
  add("full", () => full([2, 2], 3.5), { fn: "torch.full", args: [[2, 2], 3.5] }, 0);
  add(
    "ones int32",
    () => ones([3], { dtype: "int32" }),
    { fn: "torch.ones", args: [3], kwargs: { dtype: D("int32") } },
    0,
  );
  add("scalar", () => scalar(2.5), { fn: "torch.scalar_tensor", args: [2.5] }, 0);
  const h = tensor([0.1, 1, -2.5, 65504, 1e-5], [5]);
  add("float16 conversion", () => h.to({ dtype: "float16" }), { fn: "method.half", args: [T(h)] }, 0);
}

describe("ops against PyTorch (reference/torch_ops.py)", () => {
  let refs: Record<string, TorchResult> = {};
  before(() => {
    refs = runTorchCases(cases.map((c) => ({ id: c.id, ...c.torch })));
  });
  for (const c of cases) {
    test(c.id, () => {
      tidy(() => {
        const mine = c.ours();
        const ref = refs[c.id];
        assert.ok(ref !== undefined, `no reference result for ${c.id}`);
        if (Array.isArray(mine)) {
          assert.ok(Array.isArray(ref), `${c.id}: reference is not a list`);
          assert.equal(mine.length, ref.length, `${c.id}: list length`);
          mine.forEach((t, i) => {
            assertTensorMatches(`${c.id}[${i}]`, t, ref[i]!, c.rtol ?? 1e-6);
          });
        } else {
          assertTensorMatches(c.id, mine, ref, c.rtol ?? 1e-6);
        }
        if (c.id === "float16 conversion") {
          const bits = (ref as { bits: number[] }).bits;
          assert.deepEqual(Array.from((mine as Tensor).toArray<"float16">()), bits, "float16 bit patterns");
        }
      });
    });
  }
});

describe("ops: hand-computed values", () => {
  test("broadcast add, scalar chain, strides of views", () => {
    tidy(() => {
      const a = tensor([1, 2, 3], [1, 3]);
      const b = tensor([10, 20], [2, 1]);
      assert.deepEqual(a.add(b).toList(), [11, 12, 13, 21, 22, 23]);
      assert.deepEqual(a.add(b).shape, [2, 3]);
      // ((x + 2) - 3 * 0.5) * 1.5 / 4
      assert.deepEqual(a.add(2).sub(0.5, 3).mul(1.5).div(4).toList(), [0.5625, 0.9375, 1.3125]);
      const x = arange(0, 24, 1, { dtype: "float64" }).reshape([2, 3, 4]);
      assert.deepEqual(x.slice(2, 1, 4, 2).toList(), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
      assert.deepEqual(x.slice(1, -1).toList(), [8, 9, 10, 11, 20, 21, 22, 23]);
      const p = x.permute([2, 0, 1]);
      assert.deepEqual(p.handle.strides, [1, 12, 4]);
      assert.ok(p.sharesStorageWith(x), "permute is a view");
      const c = p.contiguous();
      assert.deepEqual(c.handle.strides, [6, 3, 1]);
      assert.ok(!c.sharesStorageWith(x), "contiguous of a permuted view copies");
      assert.equal(
        x.contiguous().handle.storageId(),
        x.handle.storageId(),
        "contiguous of a contiguous tensor is itself",
      );
      assert.deepEqual(index(x, [ints([1, 0]), null, ints([3, 1])]).toList(), [15, 19, 23, 1, 5, 9]);
      // sum over i, k of 12 i + 4 j + k = 32 j + 60
      assert.deepEqual(x.sum([0, 2]).toList(), [60, 92, 124]);
      assert.deepEqual(x.argmax(2).toList(), [3, 3, 3, 3, 3, 3]);
      assert.equal(x.max().item(), 23);
      assert.equal(x.mean().item(), 11.5);
    });
  });
  test("matmul, oneHot, where, clamp, comparisons by hand", () => {
    tidy(() => {
      const m = tensor([1, 2, 3, 4], [2, 2]);
      assert.deepEqual(m.matmul(m).toList(), [7, 10, 15, 22]);
      assert.deepEqual(oneHot(ints([2, 0]), 3).toList(), [0, 0, 1, 1, 0, 0]);
      assert.equal(oneHot(ints([2, 0]), 3).dtype, "int64");
      const x = tensor([-2, -0.5, 0.5, 2]);
      assert.deepEqual(x.clamp(-1, 1).toList(), [-1, -0.5, 0.5, 1]);
      assert.deepEqual(x.gt(0).toList(), [0, 0, 1, 1]);
      assert.equal(x.gt(0).dtype, "bool");
      assert.deepEqual(x.where(x.gt(0), zeros([4])).toList(), [0, 0, 0.5, 2]);
      assert.deepEqual(cat([x, x], 0).shape, [8]);
      assert.deepEqual(stack([x, x], 1).shape, [4, 2]);
      assert.deepEqual(
        pad(x.reshape([1, 1, 4]), [1, 2], "reflect").toList(),
        [-0.5, -2, -0.5, 0.5, 2, 0.5, -0.5],
      );
      assert.deepEqual(
        pad(x.reshape([1, 1, 4]), [2, 1], "replicate").toList(),
        [-2, -2, -2, -0.5, 0.5, 2, 2],
      );
      // align_corners=true on a 2 -> 3 upsample puts the new sample exactly halfway.
      const t = tensor([0, 1], [1, 1, 1, 1, 2]);
      assert.deepEqual(
        interpolate(t, { size: [1, 1, 3], mode: "trilinear", alignCorners: true }).toList(),
        [0, 0.5, 1],
      );
      assert.deepEqual(
        interpolate(t, { size: [1, 1, 4], mode: "trilinear", alignCorners: false }).toList(),
        [0, 0.25, 0.75, 1],
      );
      assert.deepEqual(interpolate(t, { size: [1, 1, 4], mode: "nearest" }).toList(), [0, 0, 1, 1]);
      // The identity transform samples the input itself.
      const vol = arange(0, 8, 1).reshape([1, 1, 2, 2, 2]);
      const id = tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], [1, 3, 4]);
      assert.deepEqual(
        gridSample(vol, affineGrid(id, [1, 1, 2, 2, 2], true), { alignCorners: true }).toList(),
        vol.toList(),
      );
    });
  });
  test("item() of each dtype", () => {
    tidy(() => {
      assert.equal(scalar(2.5).item(), 2.5);
      assert.equal(scalar(7, { dtype: "int64" }).item(), 7);
      assert.equal(scalar(1, { dtype: "bool" }).item(), 1);
      assert.equal(tensor([3], [1], { dtype: "float64" }).item(), 3);
      assert.throws(() => tensor([1, 2]).item(), /2 elements/);
    });
  });
});

describe("dtypes: creation and toArray round trips", () => {
  const arrays: [string, () => Tensor, new (n: number) => ArrayLike<unknown>, unknown[]][] = [
    [
      "float32",
      () => Tensor.fromArray(Float32Array.of(1.5, -2, 0.1), [3]),
      Float32Array,
      [1.5, -2, Math.fround(0.1)],
    ],
    ["float64", () => Tensor.fromArray(Float64Array.of(1.5, -2, 0.1), [3]), Float64Array, [1.5, -2, 0.1]],
    [
      "int64",
      () => Tensor.fromArray(BigInt64Array.of(1n, -(2n ** 40n), 3n), [3]),
      BigInt64Array,
      [1n, -(2n ** 40n), 3n],
    ],
    ["int32", () => Tensor.fromArray(Int32Array.of(1, -5, 2 ** 30), [3]), Int32Array, [1, -5, 2 ** 30]],
    ["uint8", () => Tensor.fromArray(Uint8Array.of(0, 200, 255), [3]), Uint8Array, [0, 200, 255]],
    ["bool", () => Tensor.fromArray(Uint8Array.of(1, 0, 1), [3], { dtype: "bool" }), Uint8Array, [1, 0, 1]],
    // float16 travels as its bit patterns: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff.
    [
      "float16",
      () => Tensor.fromArray(Uint16Array.of(0x3c00, 0xc000, 0x7bff), [3], { dtype: "float16" }),
      Uint16Array,
      [0x3c00, 0xc000, 0x7bff],
    ],
  ];
  for (const [dtype, make, ctor, values] of arrays) {
    test(dtype, () => {
      tidy(() => {
        const t = make();
        assert.equal(t.dtype, dtype);
        assert.deepEqual(t.shape, [3]);
        const back = t.toArray();
        assert.ok(back instanceof ctor, `${dtype}: toArray gives ${back.constructor.name}`);
        assert.deepEqual(Array.from(back as ArrayLike<unknown>), values);
        // The factories honour the dtype too.
        const z = zeros([2, 2], { dtype: dtype as never });
        assert.equal(z.dtype, dtype);
        assert.ok(z.toArray() instanceof ctor);
        assert.equal(ones([2], { dtype: dtype as never }).dtype, dtype);
        assert.equal(empty([4], { dtype: dtype as never }).numel, 4);
      });
    });
  }
  test("float16 values and conversions", () => {
    tidy(() => {
      const h = Tensor.fromArray(Uint16Array.of(0x3c00, 0xc000, 0x7bff), [3], { dtype: "float16" });
      assert.deepEqual(h.to({ dtype: "float32" }).toList(), [1, -2, 65504]);
      assert.deepEqual(tensor([1, -2], [2], { dtype: "float16" }).toList(), [0x3c00, 0xc000]);
      assert.deepEqual(h.add(h).to({ dtype: "float64" }).toList(), [2, -4, Number.POSITIVE_INFINITY]);
    });
  });
  test("a typed array whose size does not match shape and dtype is refused", () => {
    assert.throws(
      () => Tensor.fromArray(Float32Array.of(1, 2, 3), [2, 2]),
      /12 bytes given, shape and dtype need 16/,
    );
    assert.throws(() => Tensor.fromArray(Float32Array.of(1, 2), [2], { dtype: "float64" }), RangeError);
  });
});

describe("copy-free memory", () => {
  test("fromArray(copy: false) shares the array's memory both ways", () => {
    tidy(() => {
      const data = Float32Array.of(1, 2, 3, 4);
      const t = Tensor.fromArray(data, [2, 2], { copy: false });
      data[1] = 20;
      assert.deepEqual(t.toList(), [1, 20, 3, 4], "a JS write is seen by the tensor");
      t.mul_(2);
      assert.deepEqual(Array.from(data), [2, 40, 6, 8], "an in-place tensor op is seen by the array");
      const copied = Tensor.fromArray(data, [2, 2]);
      data[0] = -1;
      assert.equal(copied.toList()[0], 2, "copy: true (the default) copies");
      // A view onto part of a larger buffer (non-zero byteOffset).
      const big = new Float64Array(10).map((_, i) => i);
      const part = Tensor.fromArray(big.subarray(3, 7), [4], { copy: false });
      assert.deepEqual(part.toList(), [3, 4, 5, 6]);
      part.fill_(0);
      assert.deepEqual(Array.from(big), [0, 1, 2, 0, 0, 0, 0, 7, 8, 9]);
    });
  });
  test("sharedView() is the tensor's own memory", () => {
    tidy(() => {
      const t = zeros([3], { dtype: "float64" });
      const v = t.sharedView<"float64">();
      assert.ok(v instanceof Float64Array);
      v[2] = 5;
      assert.deepEqual(t.toList(), [0, 0, 5]);
      t.add_(1);
      assert.deepEqual(Array.from(v), [1, 1, 6]);
      const i = zeros([2], { dtype: "int64" }).sharedView<"int64">();
      assert.ok(i instanceof BigInt64Array);
      assert.throws(() => arange(0, 6, 1).reshape([2, 3]).transpose(0, 1).sharedView(), /not contiguous/);
    });
  });
  test("a shared view outlives its tensor's handle", () => {
    const t = tensor([7, 8], [2]);
    const v = t.sharedView<"float32">();
    t.dispose();
    assert.deepEqual(Array.from(v), [7, 8]);
  });
});

describe("runtime: seeds and threads", () => {
  test("same seed, same result; different seed, different result", () => {
    tidy(() => {
      manualSeed(123);
      const a = randn([50]).toList();
      const ai = randint(0, 100, [20]).toList();
      manualSeed(123);
      const b = randn([50]).toList();
      const bi = randint(0, 100, [20]).toList();
      assert.deepEqual(a, b);
      assert.deepEqual(ai, bi);
      manualSeed(124);
      assert.notDeepEqual(randn([50]).toList(), a);
    });
  });
  test("setNumThreads/getNumThreads", () => {
    const before = getNumThreads();
    setNumThreads(2);
    assert.equal(getNumThreads(), 2);
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    assert.throws(() => setNumThreads(0), /at least 1 thread/);
    setNumThreads(before);
  });
});

describe("errors become JS Errors carrying libtorch's message; the process survives", () => {
  test("shape mismatch in conv3d", () => {
    tidy(() => {
      assert.throws(
        () => conv3d(zeros([1, 2, 4, 4, 4]), zeros([3, 3, 3, 3, 3])),
        (e: unknown) =>
          e instanceof Error &&
          /weight of size \[3, 3, 3, 3, 3\], expected input\[1, 2, 4, 4, 4\] to have 3 channels/.test(
            e.message,
          ),
      );
      assert.throws(
        () => zeros([2, 3]).add(zeros([4])),
        /size of tensor a \(3\) must match the size of tensor b \(4\)/,
      );
    });
  });
  test("wrong dtype", () => {
    tidy(() => {
      assert.throws(
        () => zeros([2, 2], { dtype: "int64" }).matmul(zeros([2, 2])),
        (e: unknown) => e instanceof Error && /expected (scalar type|both).*(Long|Float)/i.test(e.message),
      );
      assert.throws(() => oneHot(zeros([3]), 2), /one_hot is only applicable to index tensor/);
      assert.throws(
        () => zeros([2], { dtype: "int64" }).add_(tensor([0.5, 0.5])),
        /result type Float can't be cast to the desired output type Long/,
      );
    });
  });
  test("an op on a disposed tensor", () => {
    const t = zeros([2]);
    t.dispose();
    assert.equal(t.isDisposed, true);
    assert.throws(() => t.add(1), /tensor was already disposed/);
    assert.throws(() => cat([zeros([1]), t]), /already disposed/);
    assert.throws(() => t.shape, /already disposed/);
    t.dispose(); // disposing twice is harmless
  });
  test("a bad argument type", () => {
    assert.throws(
      () => zeros(["a" as unknown as number]),
      (e: unknown) => e instanceof TypeError && /'size'.*expected an integer/.test(e.message),
    );
    assert.throws(() => zeros([2]).narrow(0, 0.5, 1), /expected an integer, got 0.5/);
    assert.throws(() => zeros([2]).add({} as unknown as number), /expected a number/);
    assert.throws(() => zeros([2], { dtype: "complex" as never }), /unknown dtype 'complex'/);
  });
  test("a non-existent device", { skip: cudaAvailable() ? "a CUDA device is present" : false }, () => {
    assert.throws(
      () => assertDevice("cuda"),
      /device 'cuda' requested, but the linked libtorch has no CUDA device/,
    );
    assert.throws(() => assertDevice("cuda:1"), /no CUDA device/);
    assert.throws(() => assertDevice("tpu"), /unknown device 'tpu'/);
    assert.doesNotThrow(() => assertDevice("cpu"));
    // libtorch's own error for a CUDA tensor without CUDA, as a JS Error instead of an abort.
    assert.throws(
      () => zeros([2], { device: "cuda" }),
      (e: unknown) => e instanceof Error && /CUDA/.test(e.message),
    );
    assert.throws(
      () => tensor([1, 2], [2], { device: "cuda" }),
      (e: unknown) => e instanceof Error && /cuda/i.test(e.message),
    );
    assert.throws(
      () => zeros([2], { device: "nonsense" }),
      (e: unknown) => e instanceof Error && /device/i.test(e.message),
    );
  });
  test("the process is alive and computing after all of the above", () => {
    tidy(() => assert.deepEqual(tensor([1, 2]).add(1).toList(), [2, 3]));
  });
});
