// BatchNorm recalibration: the running statistics become the plain average (PyTorch's
// momentum=None) of the per-batch statistics over every non-overlapping window of the volumes,
// computed here by hand; earlier statistics are forgotten, the momentum is restored, and the
// model is left in eval mode.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchNorm3d } from "../../src/nn/layers/norm.js";
import { recalibrateBatchNorm } from "../../src/training/trainer/recalibrate-batch-norm.js";

test("statistics are the average over batches of the windows' mean and unbiased variance", () => {
  const bn = new BatchNorm3d(1);
  // Stale statistics from "training", to be forgotten.
  bn.runningMean!.fill_(5);
  bn.runningVar!.fill_(9);
  // Volume A [k, j, i] = [2, 2, 4]: windows of [2, 2, 2] at i = 0 and i = 2. Volume B: one [2, 2, 2].
  const a = Float32Array.from({ length: 16 }, (_, n) => n);
  const b = Float32Array.from({ length: 8 }, (_, n) => (n % 2 === 0 ? 10 : -10));
  const windowsOfA = [
    [0, 1, 4, 5, 8, 9, 12, 13],
    [2, 3, 6, 7, 10, 11, 14, 15],
  ];
  const batches = [[...windowsOfA[0]!, ...windowsOfA[1]!], [...b]]; // batch size 2: (A0, A1), then (B)
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const unbiasedVar = (v: number[]) => {
    const m = mean(v);
    return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
  };
  const expectedMean = mean(batches.map(mean));
  const expectedVar = mean(batches.map(unbiasedVar));
  const n = recalibrateBatchNorm(
    bn,
    (x) => bn.forward(x).dispose(),
    [
      { image: a, shape: [2, 2, 4] },
      { image: b, shape: [2, 2, 2] },
    ],
    [2, 2, 2],
    2,
  );
  assert.equal(n, 3);
  const got = (bn.runningMean!.toArray() as Float32Array)[0]!;
  const gotVar = (bn.runningVar!.toArray() as Float32Array)[0]!;
  assert.ok(Math.abs(got - expectedMean) < 1e-5, `${got} vs ${expectedMean}`);
  assert.ok(Math.abs(gotVar - expectedVar) < 1e-3 * expectedVar, `${gotVar} vs ${expectedVar}`);
  assert.equal(Number((bn.numBatchesTracked!.toArray() as BigInt64Array)[0]), 2);
  assert.equal(bn.momentum, 0.1);
  assert.equal(bn.training, false);
});

test("a volume smaller than the window is an error naming both sizes", () => {
  const bn = new BatchNorm3d(1);
  assert.throws(
    () =>
      recalibrateBatchNorm(
        bn,
        (x) => bn.forward(x),
        [{ image: new Float32Array(8), shape: [2, 2, 2] }],
        [4, 2, 2],
      ),
    /volume \[2,2,2\] is smaller than the window \[4,2,2\]/,
  );
  assert.equal(bn.momentum, 0.1);
});
