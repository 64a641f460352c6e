// Adam, AdamW and SGD against torch.optim over 5 steps on the same parameters and gradients
// (float64); cosine and step schedules against CosineAnnealingLR/StepLR; resuming from an
// optimiser state dict continues identically.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { noGrad, setNumThreads, Tensor } from "../../src/engine/index.js";
import { Adam, type AdamOptions, AdamW } from "../../src/nn/optim/adam.js";
import type { Optimizer } from "../../src/nn/optim/optimizer.js";
import { CosineSchedule, StepSchedule } from "../../src/nn/optim/schedules.js";
import { SGD, type SGDOptions } from "../../src/nn/optim/sgd.js";
import { prng } from "../engine/gradcheck.js";
import { refNumbers, runJsonReference, T, type TorchTensor } from "../engine/torch-ref.js";
import { relativeError } from "../helpers/compare.js";

setNumThreads(1);

let seed = 700;
function r64(shape: number[], scale = 1): Tensor {
  const r = prng(seed++);
  return Tensor.fromArray(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * (2 * r() - 1)),
    shape,
  );
}

const SHAPES: Record<string, number[]> = { "layer.weight": [3, 4], "layer.bias": [5] };
const STEPS = 5;
const initial = Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, r64(s)]));
const grads = Array.from({ length: STEPS }, (_, i) =>
  Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, r64(s, i === 3 ? 1e-3 : 1)])),
);

type Kind = "adam" | "adamw" | "sgd";
const optCases: [string, Kind, Record<string, unknown>, (p: [string, Tensor][]) => Optimizer][] = [
  ["Adam defaults, lr 1e-2", "adam", { lr: 1e-2 }, (p) => new Adam(p, { lr: 1e-2 })],
  [
    "Adam with betas, eps, L2 weight decay",
    "adam",
    { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1 },
    (p) => new Adam(p, { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 } satisfies AdamOptions),
  ],
  ["AdamW default weight decay", "adamw", { lr: 1e-2 }, (p) => new AdamW(p, { lr: 1e-2 })],
  [
    "AdamW weight decay 0.3",
    "adamw",
    { lr: 0.02, weight_decay: 0.3 },
    (p) => new AdamW(p, { lr: 0.02, weightDecay: 0.3 }),
  ],
  ["SGD plain", "sgd", { lr: 0.1 }, (p) => new SGD(p, { lr: 0.1 })],
  ["SGD momentum", "sgd", { lr: 0.1, momentum: 0.9 }, (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
  [
    "SGD momentum, dampening, weight decay",
    "sgd",
    { lr: 0.05, momentum: 0.8, dampening: 0.3, weight_decay: 0.01 },
    (p) => new SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 } satisfies SGDOptions),
  ],
  [
    "SGD Nesterov with weight decay",
    "sgd",
    { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.02 },
    (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.02 }),
  ],
];

function freshParams(): [string, Tensor][] {
  return Object.entries(initial).map(([k, v]) => [k, noGrad(() => v.clone()).requiresGrad_()]);
}
function setGrads(params: [string, Tensor][], step: number): void {
  for (const [k, p] of params) p.grad = grads[step]![k]!;
}

interface ScheduleRef {
  error?: string;
}

describe("optimisers against torch.optim (5 steps, float64)", () => {
  let refs: Record<string, TorchTensor>[][] = [];
  let lrs: number[][] = [];
  before(() => {
    const out = runJsonReference<unknown[]>("torch_nn.py", [
      ...optCases.map(([, kind, options]) => ({
        kind: "optim",
        optimizer: kind,
        options,
        params: Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, T(v)])),
        grads: grads.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, T(v)]))),
      })),
      { kind: "schedule", scheduler: "cosine", lr: 0.1, options: { T_max: 10, eta_min: 1e-3 }, epochs: 26 },
      { kind: "schedule", scheduler: "cosine", lr: 0.01, options: { T_max: 7 }, epochs: 8 },
      { kind: "schedule", scheduler: "step", lr: 0.1, options: { step_size: 3, gamma: 0.5 }, epochs: 13 },
      { kind: "schedule", scheduler: "step", lr: 2e-4, options: { step_size: 1 }, epochs: 5 },
    ]);
    for (const o of out) assert.ok(!(o as ScheduleRef).error, (o as ScheduleRef).error);
    refs = out.slice(0, optCases.length) as Record<string, TorchTensor>[][];
    lrs = out.slice(optCases.length) as number[][];
  });
  optCases.forEach(([name, , , make], i) => {
    test(name, () => {
      const params = freshParams();
      const opt = make(params);
      for (let s = 0; s < STEPS; s++) {
        setGrads(params, s);
        opt.step();
        for (const [k, p] of params) {
          const theirs = refNumbers(refs[i]![s]![k]!.values);
          const e = relativeError(p.toList(), theirs);
          assert.ok(e <= 1e-12, `${name}: ${k} after step ${s + 1}: relative error ${e}`);
        }
        opt.zeroGrad();
        assert.ok(params.every(([, p]) => p.grad === null));
      }
      opt.dispose();
      for (const [, p] of params) p.dispose();
    });
  });
  test("CosineSchedule equals CosineAnnealingLR, StepSchedule equals StepLR", () => {
    const check = (what: string, ours: (e: number) => number, theirs: number[]) => {
      theirs.forEach((lr, e) => {
        assert.ok(
          Math.abs(ours(e) - lr) <= 1e-12 * Math.abs(lr) + 1e-18,
          `${what} epoch ${e}: ${ours(e)} vs ${lr}`,
        );
      });
    };
    check(
      "cosine T_max 10, eta_min 1e-3 (to 2.5 periods)",
      (e) => new CosineSchedule(0.1, 10, 1e-3).lrAt(e),
      lrs[0]!,
    );
    check("cosine T_max 7", (e) => new CosineSchedule(0.01, 7).lrAt(e), lrs[1]!);
    check("step 3, gamma 0.5", (e) => new StepSchedule(0.1, 3, 0.5).lrAt(e), lrs[2]!);
    check("step 1, default gamma", (e) => new StepSchedule(2e-4, 1).lrAt(e), lrs[3]!);
    const params = freshParams();
    const opt = new SGD(params, { lr: 1 });
    assert.equal(new StepSchedule(0.1, 3, 0.5).apply(opt, 7), 0.025);
    assert.equal(opt.lr, 0.025);
    assert.throws(() => new CosineSchedule(0.1, 0), /tMax must be > 0/);
    opt.dispose();
    for (const [, p] of params) p.dispose();
  });
});

describe("optimiser state dicts", () => {
  for (const [name, make] of [
    ["Adam", (p: [string, Tensor][]) => new Adam(p, { lr: 0.03, weightDecay: 0.01 })],
    ["SGD Nesterov", (p: [string, Tensor][]) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ] as const) {
    test(`${name}: stateDict/loadStateDict resumes identically`, () => {
      // Reference run: 5 uninterrupted steps.
      const a = freshParams();
      const optA = make(a);
      let saved: { tensors: Map<string, Tensor>; scalars: Record<string, number> } | undefined;
      let savedParams: Tensor[] = [];
      for (let s = 0; s < STEPS; s++) {
        setGrads(a, s);
        optA.step();
        if (s === 2) {
          const sd = optA.stateDict();
          saved = {
            tensors: new Map([...sd.tensors].map(([k, v]) => [k, noGrad(() => v.clone())])),
            scalars: { ...sd.scalars },
          };
          savedParams = a.map(([, p]) => noGrad(() => p.clone()));
        }
      }
      assert.ok(saved !== undefined && saved.tensors.size > 0);
      assert.equal(saved.scalars.stepCount, 3);
      // Resumed run: new parameters and optimiser from the step-3 snapshot, then steps 4 and 5.
      const b: [string, Tensor][] = a.map(([k], i) => [k, savedParams[i]!.requiresGrad_()]);
      const optB = make(b);
      optB.loadStateDict(saved);
      for (let s = 3; s < STEPS; s++) {
        setGrads(b, s);
        optB.step();
      }
      a.forEach(([k, p], i) => {
        assert.deepEqual(b[i]![1].toList(), p.toList(), `${name}: ${k} differs after resuming`);
      });
      for (const t of saved.tensors.values()) t.dispose();
      optA.dispose();
      optB.dispose();
    });
  }
  test("loadStateDict copies: later steps do not write into the saved tensors", () => {
    const p = freshParams();
    const opt = new Adam(p, { lr: 0.1 });
    setGrads(p, 0);
    opt.step();
    const saved = {
      tensors: new Map([...opt.stateDict().tensors].map(([k, v]) => [k, noGrad(() => v.clone())])),
      scalars: opt.stateDict().scalars,
    };
    const snapshot = [...saved.tensors.values()].map((t) => t.toList());
    opt.loadStateDict(saved);
    setGrads(p, 1);
    opt.step();
    assert.deepEqual(
      [...saved.tensors.values()].map((t) => t.toList()),
      snapshot,
    );
    assert.deepEqual([...opt.stateDict().tensors.keys()].sort(), [
      "layer.bias.exp_avg",
      "layer.bias.exp_avg_sq",
      "layer.weight.exp_avg",
      "layer.weight.exp_avg_sq",
    ]);
    opt.dispose();
  });
});
