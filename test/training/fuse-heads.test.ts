// Head fusion on hand-made probabilities: "max" (the organ with the highest probability above the
// threshold, else background; a lone multi-class head reduces to argmax) and the other rules, with
// numbers chosen so the rules disagree and every expected label is worked out in comments.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cat, Tensor, tidy, zeros } from "../../src/engine/index.js";
import { argmaxLabels } from "../../src/training/inference/argmax-labels.js";
import {
  type FusionRule,
  fuseHeads,
  type HeadProbabilities,
} from "../../src/training/inference/fuse-heads.js";

/** [1, C, 1, 1, n] probabilities from per-channel rows. */
function probs(rows: number[][]): Tensor {
  return Tensor.fromArray(Float32Array.from(rows.flat()), [1, rows.length, 1, 1, rows[0]!.length]);
}

test("binary heads: highest organ above 0.5 wins, otherwise background", () => {
  tidy(() => {
    // voxels:              0    1    2    3
    const liver = probs([
      [0.9, 0.4, 0.3, 0.45],
      [0.1, 0.6, 0.7, 0.55],
    ]); // organ 1
    const spleen = probs([
      [0.2, 0.3, 0.6, 0.5],
      [0.8, 0.7, 0.4, 0.5],
    ]); // organ 2
    const labels = fuseHeads([
      { probs: liver, organIndices: [1] },
      { probs: spleen, organIndices: [2] },
    ]);
    // v0: liver 0.1, spleen 0.8 -> 2; v1: 0.6 vs 0.7 -> 2; v2: 0.7 vs 0.4 -> 1; v3: 0.55 vs 0.5 -> 1
    assert.deepEqual([...(labels.toArray() as Uint8Array)], [2, 2, 1, 1]);
    const none = fuseHeads([{ probs: probs([[0.6], [0.4]]), organIndices: [3] }]);
    assert.deepEqual([...(none.toArray() as Uint8Array)], [0]);
  });
});

test("a multi-class head alone is its argmax, background included", () => {
  tidy(() => {
    const central = probs([
      [0.2, 0.5, 0.34],
      [0.45, 0.3, 0.33],
      [0.35, 0.2, 0.33],
    ]);
    const labels = fuseHeads([{ probs: central, organIndices: [1, 4] }]);
    assert.deepEqual([...(labels.toArray() as Uint8Array)], [1, 0, 0]);
  });
});

// Per-rule fusion. Helpers below build binary heads from organ probabilities (background 1 - p).

/** A binary head [1, 2, 1, 1, n] from its organ probability per voxel. */
function binary(organ: number[], label: number, threshold?: number): HeadProbabilities {
  return { probs: probs([organ.map((p) => 1 - p), organ]), organIndices: [label], threshold };
}

function fuse(heads: HeadProbabilities[], rule: FusionRule, threshold?: number): number[] {
  return [...(fuseHeads(heads, { rule, threshold }).toArray() as Uint8Array)];
}

test("binary heads: the four rules disagree as worked out by hand", () => {
  tidy(() => {
    // voxels:          A    B    C    D    E
    const liver = binary([0.6, 0.6, 0.6, 0.3, 0.45], 1, 0.5);
    const spleen = binary([0.7, 0.05, 0.42, 0.45, 0.8], 2, 0.75);
    const heads = [liver, spleen];
    // max (0.5): A 0.7 > 0.6 -> 2; B, C: liver 0.6 alone above -> 1; D none above -> 0; E 0.8 -> 2.
    assert.deepEqual(fuse(heads, "max"), [2, 1, 1, 0, 2]);
    // calibrated (liver 0.5, spleen 0.75): A: spleen 0.7 <= 0.75 so liver wins -> 1; E 0.8 > 0.75 -> 2.
    assert.deepEqual(fuse(heads, "calibrated"), [1, 1, 1, 0, 2]);
    // logit-softmax, largest of {liver bg, liver, spleen bg, spleen}:
    //   A {0.4, 0.6, 0.3, 0.7} -> spleen 2; B {0.4, 0.6, 0.95, 0.05} -> spleen's confident background
    //   vetoes liver -> 0; C {0.4, 0.6, 0.58, 0.42} -> 1; D {0.7, ...} -> 0; E {0.55, 0.45, 0.2, 0.8} -> 2.
    assert.deepEqual(fuse(heads, "logit-softmax"), [2, 0, 1, 0, 2]);
    // uncertainty, c = 1 - H/ln2: c(0.6) = 0.0291, c(0.7) = 0.1187, c(0.05) = 0.7136, c(0.42) = 0.0185,
    // c(0.3) = 0.1187, c(0.45) = 0.0072, c(0.8) = 0.2781. Scores [bg, liver, spleen]:
    //   A [0.320, 0.118, 0.562] -> 2; B [0.928, 0.023, 0.048] -> 0;
    //   C [(0.0291*0.4 + 0.0185*0.58)/0.0476 = 0.470, 0.0291*0.6/0.0476 = 0.366, 0.164] -> 0: the
    //   near-indifferent heads' background mass outweighs liver's weak 0.6, which max and logit keep;
    //   D [0.691, 0.283, 0.026] -> 0; E [0.209, 0.011, 0.780] -> 2.
    assert.deepEqual(fuse(heads, "uncertainty"), [2, 0, 0, 0, 2]);
    // The global threshold is only a fallback: without per-head thresholds calibrated is max (A:
    // spleen wins again); at 0.65 only spleen's 0.7 (A) and 0.8 (E) clear it, in both rules.
    // max ignores per-head thresholds, also in the historical numeric form.
    const plain = [binary([0.6, 0.6, 0.6, 0.3, 0.45], 1), binary([0.7, 0.05, 0.42, 0.45, 0.8], 2)];
    assert.deepEqual(fuse(plain, "calibrated"), [2, 1, 1, 0, 2]);
    assert.deepEqual(fuse(plain, "calibrated", 0.65), [2, 0, 0, 0, 2]);
    assert.deepEqual(fuse(plain, "max", 0.65), [2, 0, 0, 0, 2]);
    assert.deepEqual([...(fuseHeads(heads, 0.65).toArray() as Uint8Array)], [2, 0, 0, 0, 2]);
  });
});

test("a confident multi-class head beats a more probable but uncertain binary head under uncertainty", () => {
  tidy(() => {
    // voxels:          F    G
    const liver = binary([0.6, 0.2], 1, 0.65);
    const central: HeadProbabilities = {
      probs: probs([
        [0.05, 0.1],
        [0.55, 0.05],
        [0.4, 0.85],
      ]),
      organIndices: [3, 4],
    };
    const heads = [liver, central];
    // max (0.5): F liver 0.6 beats organ 3's 0.55 and central bg 0.05 -> 1; G organ 4 0.85 -> 4.
    assert.deepEqual(fuse(heads, "max"), [1, 4]);
    // calibrated (liver 0.65, central falls back to 0.5): F liver 0.6 <= 0.65, organ 3 0.55 -> 3.
    assert.deepEqual(fuse(heads, "calibrated"), [3, 4]);
    // logit-softmax: F largest of {0.4, 0.6, 0.05, 0.55, 0.4} -> 1; G {0.8, 0.2, 0.1, 0.05, 0.85} -> 4.
    assert.deepEqual(fuse(heads, "logit-softmax"), [1, 4]);
    // uncertainty: F c_liver = 0.0291, c_central = 1 - H(0.05, 0.55, 0.4)/ln3 = 0.2307, sum 0.2598;
    //   scores [bg 0.089, liver 0.0291*0.6/0.2598 = 0.067, organ3 0.2307*0.55/0.2598 = 0.488,
    //   organ4 0.355] -> 3 although liver's 0.6 is the highest probability.
    //   G c_liver = c(0.2) = 0.2781, c_central = 0.5283: [0.341, 0.069, 0.033, 0.557] -> 4.
    assert.deepEqual(fuse(heads, "uncertainty"), [3, 4]);
  });
});

test("a multi-class background competes in max and calibrated; ties go to background", () => {
  tidy(() => {
    // v0: liver 0.7 clears 0.5 but the central head's background 0.9 beats it (uncertainty:
    //   b = (0.119*0.3 + 0.641*0.9)/0.760 = 0.81). v1: liver exactly 0.5 is not above 0.5 and ties
    //   central's background 0.5, the earlier candidate winning; uncertainty's fused b is ~0.5.
    const liver = binary([0.7, 0.5], 1);
    const central: HeadProbabilities = {
      probs: probs([
        [0.9, 0.5],
        [0.05, 0.25],
        [0.05, 0.25],
      ]),
      organIndices: [3, 4],
    };
    for (const rule of ["max", "calibrated", "logit-softmax", "uncertainty"] as const) {
      assert.deepEqual(fuse([liver, central], rule), [0, 0], rule);
    }
    // A lone binary head at exactly 0.5: background under every rule (uncertainty: b = s = 0.5).
    for (const rule of ["max", "calibrated", "logit-softmax", "uncertainty"] as const) {
      assert.deepEqual(fuse([binary([0.5], 1)], rule), [0], rule);
    }
    // The threshold is compared in float32 like max's threshold channel: 0.1f is not above 0.1.
    assert.deepEqual(fuse([binary([0.1, 0.11], 1)], "max", 0.1), [0, 1]);
    assert.deepEqual(fuse([binary([0.1, 0.11], 1, 0.1)], "calibrated"), [0, 1]);
  });
});

test("per-head log-odds against 0 is exactly the max rule at 0.5", () => {
  tidy(() => {
    // Pseudo-random binary heads (a fixed LCG), probabilities on a 1/1000 grid in [0.001, 0.999],
    // plus exact 0.5s: argmax over [0, log(p / (1 - p)) per head] must equal fuseHeads(max, 0.5).
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (1 + (seed % 999)) / 1000;
    };
    const n = 64;
    const organ = [1, 2, 5].map(() => Array.from({ length: n }, (_, v) => (v % 16 === 0 ? 0.5 : next())));
    const heads = organ.map((p, k) => binary(p, [1, 2, 5][k]!));
    const logOdds = heads.map((h) =>
      h.probs
        .narrow(1, 1, 1)
        .div(h.probs.narrow(1, 0, 1))
        .log(),
    );
    const byLogOdds = argmaxLabels(cat([zeros([1, 1, 1, 1, n]), ...logOdds], 1), [0, 1, 2, 5]);
    const max = fuseHeads(heads, 0.5);
    assert.deepEqual([...(byLogOdds.toArray() as Uint8Array)], [...(max.toArray() as Uint8Array)]);
    // Not vacuous: both organs and background occur.
    assert.deepEqual(new Set(max.toArray() as Uint8Array), new Set([0, 1, 2, 5]));
  });
});

test("new rules reject malformed heads", () => {
  tidy(() => {
    assert.throws(() => fuseHeads([], { rule: "uncertainty" }), /no heads/);
    const bad = { probs: probs([[0.5], [0.3], [0.2]]), organIndices: [1] };
    assert.throws(() => fuseHeads([bad], { rule: "logit-softmax" }), /3 channels needs 2 organ indices/);
  });
});
