// Arms against a baseline per organ: pairing by case id, NaN pairs dropped and counted, Holm per arm.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type CaseScore,
  caseScores,
  compareArmsToBaseline,
  holmAdjust,
  wilcoxonSignedRank,
} from "../../../src/experiments/statistics/index.js";

const organs = ["liver", "spleen"];
const cases = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"];

function arm(values: Record<string, number[]>, order = cases): CaseScore[] {
  return organs.flatMap((organ) => order.map((caseId, i) => ({ caseId, organ, value: values[organ][i] })));
}

const individual = arm({
  liver: [0.8, 0.82, 0.79, 0.85, 0.77, 0.81, 0.84, 0.8],
  spleen: [0.7, Number.NaN, 0.72, 0.69, 0.75, 0.71, 0.7, 0.73],
});
// listed in another case order: pairing must follow case ids, not positions
const fedbnValues = {
  liver: [0.86, 0.85, 0.83, 0.9, 0.8, 0.84, 0.88, 0.87],
  spleen: [0.71, 0.74, 0.7, 0.7, 0.76, Number.NaN, 0.73, 0.72],
};
const reversed = [...cases].reverse();
const fedbn = arm(
  { liver: [...fedbnValues.liver].reverse(), spleen: [...fedbnValues.spleen].reverse() },
  reversed,
);
const central = arm({
  liver: [0.6, 0.65, 0.62, 0.7, 0.58, 0.66, 0.61, 0.64],
  spleen: [0, 0, 0, 0, 0, 0, 0, 0],
}).filter((s) => s.caseId !== "c8"); // c8 not scored by this arm

describe("compareArmsToBaseline", () => {
  const rows = compareArmsToBaseline({ individual, fedbn, central }, "individual");

  test("one row per arm x organ, baseline excluded", () => {
    assert.deepEqual(
      rows.map((r) => `${r.arm}/${r.organ}`),
      ["fedbn/liver", "fedbn/spleen", "central/liver", "central/spleen"],
    );
  });

  test("pairs by case id; NaN pairs dropped and counted", () => {
    const liver = rows[0];
    assert.deepEqual([liver.nPairs, liver.nDroppedNaN, liver.nUnpaired], [8, 0, 0]);
    const expected = wilcoxonSignedRank(
      fedbnValues.liver,
      individual.slice(0, 8).map((s) => s.value),
    );
    assert.deepEqual(liver.test, expected);
    const spleen = rows[1];
    assert.deepEqual([spleen.nPairs, spleen.nDroppedNaN], [6, 2]); // c2 (baseline NaN), c6 (arm NaN)
    const keep = [0, 2, 3, 4, 6, 7];
    const x = keep.map((i) => fedbnValues.spleen[i]);
    const y = keep.map((i) => individual[8 + i].value);
    assert.deepEqual(spleen.test, wilcoxonSignedRank(x, y));
    assert.ok(
      Math.abs(spleen.meanDifference - (x.reduce((s, v) => s + v, 0) - y.reduce((s, v) => s + v, 0)) / 6) <
        1e-12,
    );
  });

  test("cases scored by one arm only are counted as unpaired", () => {
    assert.deepEqual([rows[2].nPairs, rows[2].nUnpaired], [7, 1]);
    assert.ok(rows[2].meanDifference < 0 && rows[2].medianDifference < 0);
  });

  test("Holm across the organs of each arm", () => {
    for (const name of ["fedbn", "central"]) {
      const own = rows.filter((r) => r.arm === name);
      assert.deepEqual(
        own.map((r) => r.pHolm),
        holmAdjust(own.map((r) => r.test.pValue)),
      );
    }
    const pooled = compareArmsToBaseline({ individual, fedbn, central }, "individual", { holmFamily: "all" });
    assert.deepEqual(
      pooled.map((r) => r.pHolm),
      holmAdjust(pooled.map((r) => r.test.pValue)),
    );
  });

  test("caseScores takes one metric from metric rows", () => {
    const metricRows = [
      { caseId: "a", organ: "liver", dice: 0.9, hd95Mm: 3 },
      { caseId: "b", organ: "liver", dice: Number.NaN, hd95Mm: Number.NaN },
    ];
    assert.deepEqual(caseScores(metricRows, "hd95Mm"), [
      { caseId: "a", organ: "liver", value: 3 },
      { caseId: "b", organ: "liver", value: Number.NaN },
    ]);
  });

  test("bad input names the field", () => {
    assert.throws(() => compareArmsToBaseline({ individual }, "central"), /baseline: no arm named "central"/);
    assert.throws(
      () => compareArmsToBaseline({ individual, fedbn: [...fedbn, fedbn[0]] }, "individual"),
      /arms\.fedbn\[16\]: duplicate case "c8" for organ "liver"/,
    );
    assert.throws(
      () =>
        compareArmsToBaseline(
          { individual, x: [{ caseId: "c1", organ: "liver", value: Number.POSITIVE_INFINITY }] },
          "individual",
        ),
      /arms\.x\[0\]\.value/,
    );
    assert.throws(
      () => compareArmsToBaseline({ individual }, "individual", { holmFamily: "some" as never }),
      /holmFamily/,
    );
  });
});
