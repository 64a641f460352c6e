// Loss scaling (nn/optim/grad-scaler.ts) on hand-worked steps, by the rules of PyTorch's
// GradScaler (its CPU build of 1.13 has no kernels to compare against): gradients come back
// unscaled, a step with an inf or NaN gradient is skipped and halves the scale, and
// growthInterval clean steps in a row double it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tensor } from "../../src/engine/index.js";
import { GradScaler } from "../../src/nn/optim/grad-scaler.js";
import { SGD } from "../../src/nn/optim/sgd.js";

function setup() {
  const w = tensor([1, 2], undefined, { requiresGrad: true });
  const opt = new SGD([["w", w]], { lr: 0.5 });
  const scaler = new GradScaler({ initScale: 8, growthInterval: 2 });
  /** One step on loss = sum(w * k): the gradient is k. */
  const step = (k: number[]): boolean => {
    opt.zeroGrad();
    scaler.scaleLoss(w.mul(tensor(k)).sum()).backward();
    return scaler.step(opt);
  };
  return { w, opt, scaler, step };
}

test("PyTorch's defaults", () => {
  const s = new GradScaler();
  assert.deepEqual(
    [s.scale, s.growthFactor, s.backoffFactor, s.growthInterval, s.growthTracker],
    [65536, 2, 0.5, 2000, 0],
  );
});

test("clean steps use the unscaled gradient and grow the scale every growthInterval steps", () => {
  const { w, scaler, step } = setup();
  assert.equal(step([1, 0.25]), true);
  // w - lr * g with g unscaled: [1 - 0.5, 2 - 0.125].
  assert.deepEqual(Array.from(w.toArray() as Float32Array), [0.5, 1.875]);
  assert.deepEqual([scaler.scale, scaler.growthTracker], [8, 1]);
  assert.equal(step([1, 0.25]), true);
  assert.deepEqual([scaler.scale, scaler.growthTracker], [16, 0]);
  assert.deepEqual(Array.from(w.toArray() as Float32Array), [0, 1.75]);
});

test("an overflowing or NaN gradient skips the step and backs the scale off", () => {
  const { w, opt, scaler, step } = setup();
  step([1, 1]);
  const before = Array.from(w.toArray() as Float32Array);
  // 1e38 * scale 8 overflows float32 in backward: the unscaled gradient is inf.
  assert.equal(step([1e38, 1]), false);
  assert.deepEqual(Array.from(w.toArray() as Float32Array), before, "a skipped step leaves the weights");
  assert.deepEqual([scaler.scale, scaler.growthTracker], [4, 0]);
  assert.equal(opt.stepCount, 1, "the optimiser did not count the skipped step");
  assert.equal(step([Number.NaN, 1]), false);
  assert.deepEqual([scaler.scale, scaler.growthTracker], [2, 0]);
  assert.equal(step([1, 1]), true);
  assert.deepEqual([scaler.scale, scaler.growthTracker], [2, 1]);
});

test("a gradient too small for float16 survives scaling and comes back exact", () => {
  const { w, scaler, step } = setup();
  scaler.scale = 2 ** 20;
  step([2 ** -30, 0]);
  // 1 - 0.5 * 2^-30 rounds to 1 in float32; check the gradient itself instead.
  const g = w.grad!.toArray() as Float32Array;
  assert.deepEqual(Array.from(g), [2 ** -30, 0]);
});

test("state round-trips and bad settings or state are refused", () => {
  const { scaler, step } = setup();
  step([1, 1]);
  const other = new GradScaler();
  other.loadStateDict(scaler.stateDict());
  assert.deepEqual(other.stateDict(), { scale: 8, growthTracker: 1 });
  assert.throws(() => other.loadStateDict({ scale: -1, growthTracker: 0 }), /bad saved state/);
  assert.throws(() => new GradScaler({ backoffFactor: 1 }), /backoffFactor/);
  assert.throws(() => new GradScaler({ growthFactor: 1 }), /growthFactor/);
  assert.throws(() => new GradScaler({ growthInterval: 0.5 }), /growthInterval/);
});
