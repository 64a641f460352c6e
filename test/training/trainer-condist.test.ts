// The trainer in ConDistFL mode: a step's loss is the marginal Dice + CE on the organs the site
// annotates plus weight x the conditional distillation against the teacher, each computed here
// by the loss functions on logits of an identical model (same seed, train mode, same batch)
// before any step; the teacher is not trained; a teacher needs the condist loss and a weight >= 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, Tensor } from "../../src/engine/index.js";
import { conditionalDistillationLoss, marginalDiceCeLoss } from "../../src/nn/losses/condist.js";
import { MultiHeadUNet } from "../../src/nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../src/nn/monai/unet.js";
import { Trainer } from "../../src/training/trainer/trainer.js";
import type { TrainerOptions, TrainingBatch } from "../../src/training/trainer/types.js";

const ORGANS = ["liver", "spleen", "pancreas", "kidney"];
const CONFIG: UNetConfig = {
  inChannels: 1,
  outChannels: 5,
  channels: [2, 4],
  strides: [2],
  numResUnits: 1,
  norm: "batch",
};
const SHAPE: [number, number, number, number, number] = [1, 1, 8, 8, 8];
const SEED = 1;

/** A liver-only site's patch: liver (organ index 1) in a block, background elsewhere. */
function batch(): TrainingBatch {
  const n = SHAPE.reduce((a, b) => a * b, 1);
  const image = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
  const label = Uint8Array.from({ length: n }, (_, i) => (i < 200 && i % 8 < 5 ? 1 : 0));
  return { image, label, shape: SHAPE };
}

function model(seed: number): MultiHeadUNet {
  manualSeed(seed);
  return new MultiHeadUNet(CONFIG, [{ name: "all", outChannels: ORGANS.length + 1 }]);
}

function options(o: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    organs: ORGANS,
    heads: [{ task: "all", organs: ORGANS }],
    loss: "condist",
    annotatedOrgans: ["liver"],
    condist: { divergence: "kl" },
    lr: 1e-3,
    seed: SEED,
    ...o,
  };
}

/** The loss the trainer reports for a one-step epoch on `batch()`. */
async function oneStepLoss(
  o: TrainerOptions,
  teacher?: { model: MultiHeadUNet; weight?: number },
): Promise<number> {
  const m = model(7);
  const t = new Trainer(m, o);
  if (teacher) t.setTeacher(teacher.model, teacher.weight);
  const b = batch();
  const r = await t.trainEpoch({
    async *batches() {
      yield b;
    },
  });
  assert.equal(r.steps, 1);
  t.dispose();
  m.dispose();
  return r.loss;
}

/**
 * The two terms on the same batch, from a fresh student (seed 7, train mode as the trainer runs
 * it) and, when given, a fresh teacher (its seed, in the mode given), before any step. The head
 * covers every organ in vocabulary order, so its target is the label map itself (liver = 1).
 */
function referenceTerms(
  teacher: { seed: number; train: boolean } | null,
  divergence: "kl" | "dice",
): { marginal: number; distillation: number } {
  const student = model(7).train();
  const t = teacher && model(teacher.seed).train(teacher.train);
  manualSeed(SEED * 100_003 + 0); // the trainer seeds each epoch from (seed, epoch) first
  const b = batch();
  const image = Tensor.fromArray(b.image as Float32Array, SHAPE);
  const label = Tensor.fromArray(b.label as Uint8Array, SHAPE).to({ dtype: "float32" });
  const logits = student.forwardAll(image).get("all")!;
  const marginal = marginalDiceCeLoss(logits, label, { foreground: [1] }).item();
  let distillation = Number.NaN;
  if (t) {
    const teacherLogits = t.forwardAll(image).get("all")!.detach();
    distillation = conditionalDistillationLoss(logits, teacherLogits, label, {
      foreground: [1],
      divergence,
    }).item();
    teacherLogits.dispose();
    t.dispose();
  }
  for (const x of [image, label, logits]) x.dispose();
  student.dispose();
  return { marginal, distillation };
}

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: trainer ${got}, reference ${want}`);

test("without a teacher, and with a teacher of the student's own weights, the loss is the marginal Dice + CE", async () => {
  const { marginal } = referenceTerms(null, "kl");
  assert.ok(marginal > 0.1, `marginal loss ${marginal}`);
  close(await oneStepLoss(options()), marginal, 1e-5, "no teacher");
  // The same weights in the same (train) mode give the student's own logits: the conditional
  // distributions agree, so KL(teacher || student) is 0 and only the marginal term is left.
  const teacher = model(7).train();
  const { distillation } = referenceTerms({ seed: 7, train: true }, "kl");
  close(distillation, 0, 1e-7, "distillation from an identical teacher");
  close(await oneStepLoss(options(), { model: teacher }), marginal, 1e-5, "identical teacher");
  teacher.dispose();
});

test("with another teacher the loss grows by exactly weight x conditional distillation (KL and Dice)", async () => {
  for (const divergence of ["kl", "dice"] as const) {
    const weight = 0.5;
    // A teacher as the federation hands it over: other weights, eval mode.
    const teacher = model(8).eval();
    const before = [...teacher.stateDict()].map(([k, v]) => [k, Array.from(v.toArray() as Float32Array)]);
    const got = await oneStepLoss(options({ condist: { divergence } }), { model: teacher, weight });
    const { marginal, distillation } = referenceTerms({ seed: 8, train: false }, divergence);
    assert.ok(distillation > 1e-3, `${divergence}: distillation ${distillation} should not be negligible`);
    close(got, marginal + weight * distillation, 1e-5, divergence);
    close(got - marginal, weight * distillation, 1e-5, `${divergence}: the distillation part`);
    // The teacher is only read: its weights and BatchNorm statistics are unchanged by the step.
    const after = [...teacher.stateDict()].map(([k, v]) => [k, Array.from(v.toArray() as Float32Array)]);
    assert.deepEqual(after, before);
    teacher.dispose();
  }
});

test("a weight of 0 leaves the marginal term alone", async () => {
  const teacher = model(8).eval();
  const { marginal } = referenceTerms(null, "kl");
  close(await oneStepLoss(options(), { model: teacher, weight: 0 }), marginal, 1e-5, "weight 0");
  teacher.dispose();
});

test("a teacher needs the condist loss and a weight >= 0; the site must annotate a head organ", async () => {
  const m = model(7);
  const teacher = model(8);
  const dice = new Trainer(m, options({ loss: "dice" }));
  assert.throws(() => dice.setTeacher(teacher), /a teacher model needs the "condist" loss, not "dice"/);
  dice.setTeacher(null); // clearing is always allowed
  dice.dispose();
  const t = new Trainer(m, options());
  assert.throws(() => t.setTeacher(teacher, -0.1), /distillation weight must be >= 0, got -0.1/);
  assert.throws(() => t.setTeacher(teacher, Number.NaN), /distillation weight must be >= 0/);
  t.setTeacher(teacher, 0);
  t.dispose();
  const none = new Trainer(
    m,
    options({ annotatedOrgans: ["spleen"], heads: [{ task: "all", organs: ["liver"] }] }),
  );
  await assert.rejects(
    none.trainEpoch({
      async *batches() {
        yield batch();
      },
    }),
    /annotates none of head 'all''s organs \[liver\]/,
  );
  none.dispose();
  teacher.dispose();
  m.dispose();
});
