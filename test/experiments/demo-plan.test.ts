// The demo's plans carry what the federated-arms diagnosis (docs/federated-arms.md) found they need:
// enough optimiser steps for a model to learn at all, head fine-tuning after the federation (a
// head trained against its site's drifted body and then paired with the averaged body segments
// nothing: Dice 0.00-0.03 in the diagnosis), ConDistFL beside the study's arms, and a training
// seed that never changes the phantom.
import assert from "node:assert/strict";
import { test } from "node:test";
import { demoPlan } from "../../src/experiments/demo/demo-config.js";

/** Optimiser steps per site: epochs x ceil(cases / volumes per step). */
function stepsPerSite(scale: "quick" | "full"): number {
  const p = demoPlan(scale, "/tmp/segviz-demo-plan");
  return p.experiment.training.epochs * Math.ceil(p.phantom.casesPerSite / p.experiment.training.batchSize);
}

test("the quick demo trains long enough to learn (the old one took 8 steps per site)", () => {
  assert.ok(stepsPerSite("quick") >= 80, `${stepsPerSite("quick")} steps`);
  const e = demoPlan("quick", "/tmp/q").experiment;
  assert.ok(e.training.headFineTuneEpochs >= 5, "federated heads must be refitted to the final body");
  assert.deepEqual(
    e.arms.map((a) => a.kind),
    ["individual", "segviz-fedavg", "condistfl"],
  );
});

test("the full demo runs ConDistFL beside the study's arms and refits the heads", () => {
  const e = demoPlan("full", "/tmp/f").experiment;
  assert.ok(e.arms.some((a) => a.kind === "condistfl"));
  for (const k of ["individual", "central", "central-marginal", "segviz-fedavg", "segviz-fedbn"])
    assert.ok(
      e.arms.some((a) => a.kind === k),
      k,
    );
  assert.ok(e.training.headFineTuneEpochs > 0);
  // The diagnosis: aggregate after every local epoch, and measure BatchNorm statistics for the
  // final weights (both were off in the landed demo).
  assert.equal(e.training.roundEpochs, 1);
  assert.equal(e.training.recalibrateBatchNorm, true);
});

test("the training seed changes the models, never the phantom", () => {
  const a = demoPlan("full", "/tmp/f", { seed: 1 });
  const b = demoPlan("full", "/tmp/f", { seed: 7 });
  assert.equal(a.experiment.seed, 1);
  assert.equal(b.experiment.seed, 7);
  assert.deepEqual(a.phantom, b.phantom);
  assert.notDeepEqual(demoPlan("full", "/tmp/f", { phantomSeed: 2 }).phantom, a.phantom);
});

test("the GPU profile is the study's crops, spacing and sliding window on CUDA", () => {
  const e = demoPlan("gpu", "/tmp/g").experiment;
  assert.equal(e.device, "cuda");
  assert.deepEqual(e.augment.patchSize, [128, 128, 32]);
  assert.deepEqual(e.preprocess.pixdim, [1.5, 1.5, 2]);
  assert.deepEqual(e.inference.roi, [160, 160, 160]);
  assert.deepEqual(e.model.channels, [16, 32, 64, 128, 256]);
});
