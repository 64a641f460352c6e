// The trainer with the marginal + exclusion loss: each batch is scored with the organs its site
// annotated, exactly as the loss function computes it on the same logits, and heads that cannot
// take the loss are refused by name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, Tensor } from "../../src/engine/index.js";
import { marginalExclusionLoss } from "../../src/nn/losses/marginal-exclusion.js";
import { MultiHeadUNet } from "../../src/nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../src/nn/monai/unet.js";
import { Trainer } from "../../src/training/trainer/trainer.js";
import type { TrainingBatch } from "../../src/training/trainer/types.js";

const ORGANS = ["liver", "spleen", "pancreas", "kidney"];
const CONFIG: UNetConfig = {
  inChannels: 1,
  outChannels: 2,
  channels: [4, 8],
  strides: [2],
  numResUnits: 1,
  norm: "batch",
};
const SHAPE: [number, number, number, number, number] = [2, 1, 8, 8, 8];

function batch(annotated?: string[]): TrainingBatch {
  const n = SHAPE.reduce((a, b) => a * b, 1);
  const image = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  // A liver-only site: organ index 1 (liver) in a block, background elsewhere.
  const label = Uint8Array.from({ length: n }, (_, i) => (i % 512 < 200 && i % 8 < 5 ? 1 : 0));
  return { image, label, shape: SHAPE, annotated };
}

function model(): MultiHeadUNet {
  manualSeed(7);
  return new MultiHeadUNet(CONFIG, [{ name: "all", outChannels: 3 }]);
}

async function oneStepLoss(annotated: string[] | undefined): Promise<number> {
  const m = model();
  const t = new Trainer(m, {
    organs: ORGANS,
    heads: [{ task: "all", organs: ["liver", "spleen"] }],
    loss: "marginal-exclusion",
    lambdaExclusion: 0.5,
    lr: 1e-3,
    seed: 1,
  });
  const b = batch(annotated);
  const r = await t.trainEpoch({
    async *batches() {
      yield b;
    },
  });
  t.dispose();
  m.dispose();
  return r.loss;
}

function referenceLoss(annotatedChannels: number[]): number {
  const m = model();
  m.train();
  manualSeed(1 * 100_003 + 0); // the trainer seeds each epoch from (seed, epoch) before its first step
  const b = batch();
  const image = Tensor.fromArray(b.image as Float32Array, SHAPE);
  const label = Tensor.fromArray(b.label as Uint8Array, SHAPE).to({ dtype: "float32" });
  const logits = m.forwardAll(image).get("all")!;
  const loss = marginalExclusionLoss(logits, label, {
    annotated: annotatedChannels,
    lambdaExclusion: 0.5,
  }).item();
  m.dispose();
  return loss;
}

test("a batch annotated for the liver only is scored with the liver as its only annotated organ", async () => {
  const got = await oneStepLoss(["liver"]);
  const want = referenceLoss([1]);
  assert.ok(Math.abs(got - want) < 1e-5, `trainer ${got}, loss function ${want}`);
  // Knowing the spleen was annotated too changes the loss (spleen probability is no longer merged).
  const both = await oneStepLoss(["liver", "spleen"]);
  assert.ok(Math.abs(both - referenceLoss([1, 2])) < 1e-5);
  assert.ok(Math.abs(both - got) > 1e-4, `${both} vs ${got}`);
  // No annotation given: every organ counts as annotated.
  assert.ok(Math.abs((await oneStepLoss(undefined)) - both) < 1e-6);
});

test("the marginal + exclusion loss refuses a binary head, naming it", () => {
  const m = model();
  assert.throws(
    () =>
      new Trainer(m, {
        organs: ORGANS,
        heads: [{ task: "all", organs: ["liver"] }],
        loss: "marginal-exclusion",
        lr: 1e-3,
        seed: 1,
      }),
    /multi-class heads; 'all' has one organ/,
  );
  m.dispose();
});
