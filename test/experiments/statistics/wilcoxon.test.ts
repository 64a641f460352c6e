// The signed-rank test and its pieces on hand-computed cases.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  averageRanks,
  erfc,
  exactSignedRankPValue,
  signedRankPmf,
  wilcoxonSignedRank,
} from "../../../src/experiments/statistics/index.js";

const close = (a: number, b: number, what: string, rtol = 1e-14) =>
  assert.ok(Math.abs(a - b) <= rtol * Math.abs(b), `${what}: ${a} != ${b}`);

describe("pieces", () => {
  test("erfc at known values (20-digit tables, rounded to double)", () => {
    assert.equal(erfc(0), 1);
    close(erfc(0.5), 0.4795001221869535, "erfc(0.5)");
    close(erfc(1), 0.15729920705028513, "erfc(1)");
    close(erfc(2), 0.004677734981047266, "erfc(2)");
    close(erfc(3), 2.209049699858544e-5, "erfc(3)");
    close(erfc(10), 2.088487583762545e-45, "erfc(10)");
    close(erfc(-1), 2 - 0.15729920705028513, "erfc(-1)");
  });

  test("average ranks share ties", () => {
    const { ranks, tieSizes } = averageRanks([3, 1, 3, 2, 3, 1]);
    assert.deepEqual(Array.from(ranks), [5, 1.5, 5, 3, 5, 1.5]);
    assert.deepEqual(tieSizes.sort(), [2, 3]);
  });

  test("exact distribution: subsets of {1, 2, 3} by sum", () => {
    assert.deepEqual(
      Array.from(signedRankPmf(3)),
      [1, 1, 1, 2, 1, 1, 1].map((c) => c / 8),
    );
    assert.equal(
      signedRankPmf(20).reduce((s, p) => s + p, 0),
      1,
    );
  });

  test("exact p-values by counting subsets", () => {
    // n = 5: 10 of the 32 subsets of {1..5} sum to 10 or more, so P(R+ >= 10) = 10/32
    assert.equal(exactSignedRankPValue(10, 5), 0.625);
    assert.equal(exactSignedRankPValue(0, 6), 2 / 64);
    assert.equal(exactSignedRankPValue(7, 5), 1, "centre");
    assert.throws(() => exactSignedRankPValue(16, 5), /rPlus: expected an integer in 0\.\.15, got 16/);
  });
});

describe("wilcoxonSignedRank", () => {
  test("all six differences positive: exact p = 2 / 2^6", () => {
    const r = wilcoxonSignedRank([2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(r, { statistic: 0, pValue: 0.03125, method: "exact", n: 6, nZero: 0 });
  });

  test("d = [1, 2, 3, 4, -5]: R+ = 10, R- = 5, exact p = 0.625", () => {
    const r = wilcoxonSignedRank([1, 2, 3, 4, -5], [0, 0, 0, 0, 0]);
    assert.equal(r.statistic, 5);
    assert.equal(r.pValue, 0.625);
  });

  test("zeros and ties: zeros dropped, normal approximation with tie correction", () => {
    // d = [0, 1, -1, 2, 2, 3] -> [1, -1, 2, 2, 3], |d| ranks 1.5 1.5 3.5 3.5 5: R- = 1.5, R+ = 13.5
    // mean 5*6/4 = 7.5; variance (5*6*11 - (6 + 6)/2) / 24 = 13.5
    const r = wilcoxonSignedRank([0, 1, -1, 2, 2, 3], [0, 0, 0, 0, 0, 0]);
    assert.equal(r.method, "approx");
    assert.equal(r.statistic, 1.5);
    assert.equal(r.nZero, 1);
    close(r.z!, -6 / Math.sqrt(13.5), "z");
    close(r.pValue, erfc(6 / Math.sqrt(13.5) / Math.SQRT2), "p");
  });

  test("two-sided: swapping x and y gives the same p-value", () => {
    const x = [0.81, 0.77, 0.9, 0.66, 0.85, 0.72, 0.8];
    const y = [0.79, 0.8, 0.84, 0.6, 0.83, 0.7, 0.74];
    assert.equal(wilcoxonSignedRank(x, y).pValue, wilcoxonSignedRank(y, x).pValue);
  });

  test("no pairs: NaN", () => {
    const r = wilcoxonSignedRank([], []);
    assert.ok(Number.isNaN(r.pValue) && Number.isNaN(r.statistic));
    assert.equal(r.method, "none");
  });

  test("bad input names the field", () => {
    assert.throws(() => wilcoxonSignedRank([1, 2], [1]), /y: expected 2 values, paired with x, got 1/);
    assert.throws(
      () => wilcoxonSignedRank([1, 2, Number.NaN], [1, 2, 3]),
      /x\[2\]: expected a finite number, got NaN/,
    );
    assert.throws(() => wilcoxonSignedRank([1], [Number.POSITIVE_INFINITY]), /y\[0\]/);
    assert.throws(() => wilcoxonSignedRank([1], [2], { method: "fast" as never }), /method/);
    const many = Array.from({ length: 201 }, (_, i) => i + 1);
    assert.throws(
      () =>
        wilcoxonSignedRank(
          many,
          many.map(() => 0),
          { method: "exact" },
        ),
      /method: "exact" supports at most 200/,
    );
  });
});
