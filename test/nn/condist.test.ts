// ConDistFL losses: the marginal Dice + CE against MONAI's DiceCELoss and a hand computation, the
// conditional distillation (Dice and KL) against hand computations on a few voxels, its masking,
// the detached teacher, finite-difference gradients, and the round-dependent weight.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, randint, randn, Tensor, tidy } from "../../src/engine/index.js";
import {
  conDistFlLoss,
  conDistWeight,
  conditionalDistillationLoss,
  marginalDiceCeLoss,
} from "../../src/nn/losses/condist.js";
import { DiceCELoss } from "../../src/nn/losses/dice-ce.js";
import { gradcheck } from "../engine/gradcheck.js";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

const softmaxOf = (l: readonly number[], t = 1) => {
  const e = l.map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** [B, C, 1, 1, N] float64 tensor from per-(batch, voxel) channel vectors: voxels[b][v][c]. */
function volume(voxels: readonly (readonly (readonly number[])[])[]): Tensor {
  const b = voxels.length;
  const n = voxels[0]!.length;
  const c = voxels[0]![0]!.length;
  const data = new Float64Array(b * c * n);
  for (let bi = 0; bi < b; bi++) {
    for (let vi = 0; vi < n; vi++) {
      for (let ci = 0; ci < c; ci++) data[(bi * c + ci) * n + vi] = voxels[bi]![vi]![ci]!;
    }
  }
  return Tensor.fromArray(data, [b, c, 1, 1, n]);
}

const labelVolume = (labels: readonly (readonly number[])[]) => volume(labels.map((l) => l.map((x) => [x])));

test("marginalDiceCeLoss with every organ foreground is MONAI's DiceCELoss (batch, smoothNr 0)", () => {
  manualSeed(4);
  tidy(() => {
    const logits = randn([2, 3, 3, 2, 2], { dtype: "float64" });
    const labels = randint(0, 3, [2, 1, 3, 2, 2]).to({ dtype: "float64" });
    for (const batch of [true, false]) {
      const ours = marginalDiceCeLoss(logits, labels, { foreground: [1, 2], batch }).item();
      const ref = new DiceCELoss({ toOnehotY: true, softmax: true, batch, smoothNr: 0, smoothDr: 1e-5 })
        .forward(logits, labels)
        .item();
      close(ours, ref);
    }
  });
});

test("marginalDiceCeLoss on a liver-only site with batch=true, by hand", () => {
  // Classes [background, liver, spleen]; two batch items of one voxel each: A labelled liver,
  // B background. Spleen is merged into the background; the Dice sums run over the batch.
  const la = [0.2, 1.5, 0.7];
  const lb = [1.0, -0.3, 0.9];
  const pa = softmaxOf(la);
  const pb = softmaxOf(lb);
  const dr = 1e-5;
  const bgA = pa[0]! + pa[2]!;
  const bgB = pb[0]! + pb[2]!;
  const diceBg = (2 * bgB) / (bgA + bgB + 1 + dr);
  const diceLiver = (2 * pa[1]!) / (pa[1]! + pb[1]! + 1 + dr);
  const expected = 1 - (diceBg + diceLiver) / 2 - (Math.log(pa[1]!) + Math.log(bgB)) / 2;
  tidy(() => {
    const logits = volume([[la], [lb]]);
    const labels = labelVolume([[1], [0]]);
    close(marginalDiceCeLoss(logits, labels, { foreground: [1] }).item(), expected);
  });
});

// C = 4: [background, organ 1, organ 2, organ 3]; the site annotated organ 2 only, so the
// background groups are channels 0, 1, 3. Four voxels in one batch item:
//   v0: label 0, teacher argmax 1   -> distilled
//   v1: label 2                     -> masked out by the label
//   v2: label 0, teacher argmax 2   -> masked out by the teacher
//   v3: label 0, teacher argmax 3   -> distilled
const student = [
  [0.3, -0.8, 1.1, 0.4],
  [1.2, 0.1, -0.5, 0.7],
  [-0.2, 0.9, 0.3, -1.4],
  [0.6, 0.2, -0.9, 1.3],
];
const teacher = [
  [0.5, 1.7, 0.2, -0.3],
  [0.1, -0.6, 2.0, 0.4],
  [0.4, 0.2, 1.9, -0.1],
  [-0.7, 0.3, 0.8, 1.6],
];
const siteLabels = [0, 2, 0, 0];
const distilled = [0, 3];
const groups = [0, 1, 3];
const T = 2;

test("conditional distillation with Dice, by hand", () => {
  const eps = 1e-5;
  const dr = 1e-5;
  const cond = (l: readonly number[]) => {
    const p = softmaxOf(l, T);
    return groups.map((g) => p[g]! / (1 - p[2]! + eps));
  };
  let sum = 0;
  groups.forEach((_, gi) => {
    let inter = 0;
    let sp = 0;
    let sq = 0;
    for (const v of distilled) {
      const p = cond(student[v]!)[gi]!;
      const q = cond(teacher[v]!)[gi]!;
      inter += p * q;
      sp += p;
      sq += q;
    }
    sum += (2 * inter) / (sp + sq + dr);
  });
  const expected = 1 - sum / groups.length;
  tidy(() => {
    const ours = conditionalDistillationLoss(
      volume([student]),
      volume([teacher]),
      labelVolume([siteLabels]),
      {
        foreground: [2],
      },
    ).item();
    close(ours, expected);
  });
});

test("conditional distillation with KL, by hand", () => {
  const norm = (l: readonly number[]) => {
    const p = softmaxOf(l, T);
    const g = groups.map((c) => p[c]!);
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((x) => x / s);
  };
  let kl = 0;
  for (const v of distilled) {
    const p = norm(student[v]!);
    const q = norm(teacher[v]!);
    q.forEach((qi, i) => {
      kl += qi * Math.log(qi / p[i]!);
    });
  }
  const expected = kl / distilled.length;
  tidy(() => {
    const ours = conditionalDistillationLoss(
      volume([student]),
      volume([teacher]),
      labelVolume([siteLabels]),
      {
        foreground: [2],
        divergence: "kl",
      },
    ).item();
    close(ours, expected);
  });
});

test("KL is exactly 0 for equal logits; Dice is ~0 for equal near one-hot logits", () => {
  manualSeed(11);
  tidy(() => {
    const logits = randn([2, 4, 3, 2, 2], { dtype: "float64" });
    const labels = randint(0, 2, [2, 1, 3, 2, 2]).to({ dtype: "float64" }).mul(2);
    const kl = conditionalDistillationLoss(logits, logits.clone(), labels, {
      foreground: [2],
      divergence: "kl",
    });
    assert.equal(kl.item(), 0);
    // Large margins: the conditional distributions are near one-hot, so soft Dice ~ 1.
    const sharp = randn([2, 4, 3, 2, 2], { dtype: "float64" }).mul(200);
    const dice = conditionalDistillationLoss(sharp, sharp.clone(), labels, { foreground: [2] }).item();
    assert.ok(dice >= 0 && dice < 1e-4, `dice ${dice}`);
  });
});

test("student values at masked-out voxels do not change the loss", () => {
  // Voxels 1 (label) and 2 (teacher argmax) are masked out: change the student there.
  const changed = student.map((v, i) => (i === 1 || i === 2 ? v.map((x) => x * -3 + 5) : v));
  tidy(() => {
    for (const divergence of ["dice", "kl"] as const) {
      const o = { foreground: [2], divergence };
      const a = conditionalDistillationLoss(
        volume([student]),
        volume([teacher]),
        labelVolume([siteLabels]),
        o,
      );
      const b = conditionalDistillationLoss(
        volume([changed]),
        volume([teacher]),
        labelVolume([siteLabels]),
        o,
      );
      close(a.item(), b.item(), 1e-15);
    }
  });
});

test("no gradient reaches the teacher", () => {
  for (const divergence of ["dice", "kl"] as const) {
    const s = volume([student]);
    const t = volume([teacher]);
    s.requiresGrad = true;
    t.requiresGrad = true;
    tidy(() =>
      conDistFlLoss(s, t, labelVolume([siteLabels]), { foreground: [2], weight: 0.7, divergence }).backward(),
    );
    assert.equal(t.grad, null, `${divergence}: teacher got a gradient`);
    const g = s.grad;
    assert.ok(g !== null, `${divergence}: student got no gradient`);
    g.dispose();
    s.dispose();
    t.dispose();
  }
});

test("gradient w.r.t. the student matches finite differences (Dice and KL)", () => {
  manualSeed(9);
  const s = randn([2, 4, 2, 2, 1], { dtype: "float64" });
  const t = tidy(() => randn([2, 4, 2, 2, 1], { dtype: "float64" }));
  const labels = tidy(() => randint(0, 2, [2, 1, 2, 2, 1]).to({ dtype: "float64" }).mul(2));
  for (const divergence of ["dice", "kl"] as const) {
    gradcheck(
      `conditionalDistillationLoss ${divergence}`,
      () => conditionalDistillationLoss(s, t, labels, { foreground: [2], divergence }).reshape([1]),
      [["student", s]],
    );
  }
  gradcheck(
    "conDistFlLoss",
    () => conDistFlLoss(s, t, labels, { foreground: [2], weight: 0.5 }).reshape([1]),
    [["student", s]],
  );
  for (const x of [s, t, labels]) x.dispose();
});

test("a site labelling every organ distils nothing, and backward still runs", () => {
  const s = volume([student]);
  s.requiresGrad = true;
  const t = volume([teacher]);
  const y = labelVolume([[1, 2, 3, 0]]);
  const loss = conditionalDistillationLoss(s, t, y, { foreground: [1, 2, 3] });
  assert.equal(loss.item(), 0);
  loss.backward();
  const g = s.grad;
  assert.ok(g !== null);
  assert.deepEqual([...g.toArray<"float64">()], new Array(16).fill(0));
  for (const x of [g, loss, s, t, y]) x.dispose();
});

test("conDistFlLoss is the marginal Dice + CE plus the weighted distillation", () => {
  tidy(() => {
    const s = volume([student]);
    const t = volume([teacher]);
    const y = labelVolume([siteLabels]);
    const both = conDistFlLoss(s, t, y, { foreground: [2], weight: 0.3, divergence: "kl" }).item();
    const sup = marginalDiceCeLoss(s, y, { foreground: [2] }).item();
    const dist = conditionalDistillationLoss(s, t, y, { foreground: [2], divergence: "kl" }).item();
    close(both, sup + 0.3 * dist);
  });
});

test("bad options are refused, naming the function and field", () => {
  tidy(() => {
    const s = volume([student]);
    const y = labelVolume([siteLabels]);
    assert.throws(() => marginalDiceCeLoss(s, y, { foreground: [] }), /marginalDiceCeLoss: foreground/);
    assert.throws(() => marginalDiceCeLoss(s, y, { foreground: [4] }), /foreground channel 4 outside 1..3/);
    assert.throws(
      () => conditionalDistillationLoss(s, s, y, { foreground: [0] }),
      /conditionalDistillationLoss: foreground channel 0/,
    );
    assert.throws(
      () => conditionalDistillationLoss(s, s, y, { foreground: [1.5] }),
      /conditionalDistillationLoss: foreground channel 1.5/,
    );
    assert.throws(
      () => conditionalDistillationLoss(s, s, y, { foreground: [2], temperature: 0 }),
      /conditionalDistillationLoss: temperature/,
    );
    assert.throws(() => conDistFlLoss(s, s, y, { foreground: [2], weight: -1 }), /conDistFlLoss: weight/);
  });
});

test("conDistWeight ramps linearly from range[0] at round 1 to range[1] at the last", () => {
  close(conDistWeight(1, 5), 0.01);
  close(conDistWeight(3, 5), 0.505);
  close(conDistWeight(5, 5), 1);
  close(conDistWeight(1, 1), 1);
  close(conDistWeight(2, 3, [0.1, 0.5]), 0.3);
  assert.throws(() => conDistWeight(0, 5), /conDistWeight: round/);
  assert.throws(() => conDistWeight(6, 5), /conDistWeight: round/);
});
