// Per-case evaluation, per-organ summaries (sample std, NaN as n_empty) and the CSV/JSON tables.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  buildEvaluation,
  evaluateCase,
  metricsCsv,
  type OrganCaseMetrics,
  summarise,
  writeMetricsTables,
} from "../../../src/training/metrics/index.js";
import { boxLabels, type Shape } from "./volumes.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-metrics-tables-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const organs = [
  { name: "liver", id: 6 },
  { name: "spleen", id: 1 },
];

describe("summarise", () => {
  test("mean, sample std (ddof=1), median; NaN skipped and counted as nEmpty", () => {
    const s = summarise([1, Number.NaN, 2, 4, Number.NaN, 5]);
    assert.equal(s.n, 4);
    assert.equal(s.nEmpty, 2);
    assert.equal(s.mean, 3);
    // squared deviations 4 + 1 + 1 + 4 = 10, over n - 1 = 3
    assert.equal(s.std, Math.sqrt(10 / 3));
    assert.equal(s.median, 3);
    assert.equal(summarise([7, 1, 3]).median, 3);
  });

  test("fewer than two values: std is NaN; none: everything NaN", () => {
    const one = summarise([0.5]);
    assert.deepEqual([one.n, one.mean, one.median], [1, 0.5, 0.5]);
    assert.ok(Number.isNaN(one.std));
    const none = summarise([Number.NaN]);
    assert.equal(none.nEmpty, 1);
    assert.ok([none.mean, none.std, none.median].every(Number.isNaN));
  });

  test("-Infinity is refused naming the field; +Infinity (MONAI's distance rule) makes the mean infinite", () => {
    assert.throws(
      () => summarise([1, Number.NEGATIVE_INFINITY], "liver.hd95Mm"),
      /liver\.hd95Mm\[1\]: expected a finite number, NaN or \+Infinity/,
    );
    const s = summarise([1, Number.POSITIVE_INFINITY, 3]);
    assert.deepEqual([s.n, s.mean, s.median], [3, Number.POSITIVE_INFINITY, 3]);
    assert.ok(Number.isNaN(s.std));
  });
});

describe("evaluation and tables", () => {
  const shape: Shape = [10, 8, 6];
  const spacing: Shape = [1, 1, 2];
  // case a: liver half overlaps, spleen absent from both (n_empty); case b: both perfect
  const truthA = boxLabels(shape, [0, 0, 0], [3, 1, 1], 6);
  const predA = boxLabels(shape, [2, 0, 0], [5, 1, 1], 6);
  const truthB = boxLabels(shape, [1, 1, 1], [4, 4, 4], 6);
  boxLabels(shape, [6, 1, 1], [8, 3, 2], 1, truthB);
  const rows: OrganCaseMetrics[] = [
    ...evaluateCase({ caseId: "a", prediction: predA, truth: truthA, shape, spacing }, organs),
    ...evaluateCase({ caseId: "b,2", prediction: truthB, truth: truthB, shape, spacing }, organs),
  ];
  const evaluation = buildEvaluation(rows, organs);

  test("rows: one per case x organ, with the empty rule applied", () => {
    assert.deepEqual(
      rows.map((r) => [r.caseId, r.organ, r.dice]),
      [
        ["a", "liver", 0.5],
        ["a", "spleen", Number.NaN],
        ["b,2", "liver", 1],
        ["b,2", "spleen", 1],
      ],
    );
    assert.equal(rows[2].hd95Mm, 0);
    assert.ok(Number.isNaN(rows[1].hd95Mm));
  });

  test("summary per organ", () => {
    const [liver, spleen] = evaluation.summary;
    assert.equal(liver.organ, "liver");
    assert.deepEqual([liver.dice.n, liver.dice.nEmpty, liver.dice.mean], [2, 0, 0.75]);
    assert.equal(liver.dice.std, Math.sqrt(0.125));
    assert.deepEqual([spleen.dice.n, spleen.dice.nEmpty, spleen.dice.mean], [1, 1, 1]);
    assert.ok(Number.isNaN(spleen.dice.std));
    assert.match(evaluation.rules.summary, /ddof=1/);
  });

  test("writeMetricsTables writes the CSV and the JSON", async () => {
    const paths = await writeMetricsTables(join(dir, "eval"), evaluation);
    const csv = readFileSync(paths.csv, "utf8").trimEnd().split("\n");
    assert.equal(csv[0], "case,organ,dice,hd95_mm");
    assert.equal(csv[1], `a,liver,0.5,${rows[0].hd95Mm}`);
    assert.equal(csv[2], "a,spleen,NaN,NaN");
    assert.equal(csv[3], '"b,2",liver,1,0');
    assert.equal(csv.length, 5);
    const json = JSON.parse(readFileSync(paths.json, "utf8"));
    assert.equal(json.cases.a.liver.dice, 0.5);
    assert.equal(json.cases.a.spleen.dice, null, "NaN becomes null");
    assert.equal(json.cases["b,2"].spleen.hd95Mm, 0);
    assert.equal(json.summary.liver.dice.mean, 0.75);
    assert.equal(json.summary.spleen.dice.nEmpty, 1);
    assert.match(json.rules.dice, /NaN/);
    assert.deepEqual(json.organs, organs);
    assert.equal(metricsCsv(evaluation), readFileSync(paths.csv, "utf8"));
  });

  test("surface distances can be skipped", () => {
    const r = evaluateCase({ caseId: "c", prediction: truthB, truth: truthB, shape, spacing }, organs, {
      surfaceDistances: false,
    });
    assert.equal(r[0].dice, 1);
    assert.ok(Number.isNaN(r[0].hd95Mm));
  });

  test("bad input names the field", () => {
    const input = { caseId: "x", prediction: predA, truth: truthA, shape, spacing };
    assert.throws(
      () => evaluateCase({ ...input, truth: new Uint8Array(3) }, organs),
      /truth: expected 480 voxels/,
    );
    assert.throws(() => evaluateCase({ ...input, spacing: [1, 0, 1] }, organs), /spacing\[1\]/);
    assert.throws(() => evaluateCase({ ...input, caseId: "" }, organs), /caseId/);
    assert.throws(
      () =>
        evaluateCase(input, [
          { name: "a", id: 1 },
          { name: "a", id: 2 },
        ]),
      /organs\[1\]\.name: duplicate/,
    );
    assert.throws(() => evaluateCase(input, [{ name: "a", id: 0 }]), /organs\[0\]\.id/);
    assert.throws(
      () => buildEvaluation([rows[0], rows[0]], organs),
      /rows\[1\]: duplicate case "a" for organ "liver"/,
    );
    assert.throws(() => buildEvaluation([{ ...rows[0], organ: "lung" }], organs), /rows\[0\]\.organ/);
  });
});
