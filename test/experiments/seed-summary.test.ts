// A study over several seeds: per-seed case means, their mean / sample std / range across seeds,
// the Wilcoxon test on each case's Dice averaged over the seeds (Holm across organs), the table,
// and the seed list parsing. Every expected number below is worked out by hand from the inputs
// (all of them dyadic fractions, so the arithmetic is exact in float64).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { ExperimentConfig } from "../../src/experiments/config/experiment-config.js";
import type { StudyReport } from "../../src/experiments/report/report-types.js";
import { parseSeedList, seedExperiment } from "../../src/experiments/seeds/run-seeds.js";
import { caseMetric, sharedMetrics, summariseSeeds } from "../../src/experiments/seeds/seed-summary.js";
import { formatSeedTable } from "../../src/experiments/seeds/seed-table.js";

const close = (a: number | null | undefined, b: number, tol = 1e-12) =>
  assert.ok(typeof a === "number" && Math.abs(a - b) <= tol, `${a} vs ${b}`);

const CASES = ["c1", "c2", "c3", "c4", "c5", "c6"];
const ORGANS = ["liver", "spleen"];
/** Spleen differences fedavg - individual, in 1/64: mixed signs, distinct magnitudes 1..6. */
const SPLEEN_STEPS = [1, -2, 3, -4, 5, -6];

type Organs = Record<string, number | null>;
type CaseRow = {
  caseId: string;
  dice: Organs;
  diceHead: Organs;
  diceFusion?: Record<string, Organs>;
};

function arm(name: string, label: string, perCase: CaseRow[]) {
  return { name, label, perCase };
}

function report(
  arms: ReturnType<typeof arm>[],
  opts: { alpha?: number; cases?: string[] } = {},
): StudyReport {
  return {
    organs: ORGANS,
    testSet: { name: "test", cases: opts.cases ?? CASES },
    arms,
    baseline: "individual",
    alpha: opts.alpha ?? 0.05,
  } as unknown as StudyReport;
}

/**
 * The two seeds' reports. With k = 1..6 the case number:
 *   individual liver:  seed 1: 0.5,            seed 2: 0.75            (case mean over seeds 0.625)
 *   fedavg liver:      seed 1: 0.5 + k/64,     seed 2: 0.875 + k/64    (case mean 0.6875 + k/64)
 *   individual spleen: seed 1: 0.5,            seed 2: 0.5             (case mean 0.5)
 *   fedavg spleen:     seed 1: 0.5625 + s_k/64, seed 2: 0.4375 + s_k/64 (case mean 0.5 + s_k/64)
 * diceHead: 0.25 everywhere except fedavg seed 2 (0.5).
 */
function seedReports(
  opts: {
    alpha?: number;
    fusion?: [Record<string, Organs> | undefined, Record<string, Organs> | undefined];
  } = {},
): StudyReport[] {
  return [0, 1].map((s) => {
    const individual = CASES.map((caseId) => ({
      caseId,
      dice: { liver: s === 0 ? 0.5 : 0.75, spleen: 0.5 },
      diceHead: { liver: 0.25, spleen: 0.25 },
      ...(opts.fusion?.[s] && { diceFusion: opts.fusion[s] }),
    }));
    const fedavg = CASES.map((caseId, i) => ({
      caseId,
      dice: {
        liver: (s === 0 ? 0.5 : 0.875) + (i + 1) / 64,
        spleen: (s === 0 ? 0.5625 : 0.4375) + SPLEEN_STEPS[i]! / 64,
      },
      diceHead: { liver: s === 0 ? 0.25 : 0.5, spleen: s === 0 ? 0.25 : 0.5 },
      ...(opts.fusion?.[s] && { diceFusion: opts.fusion[s] }),
    }));
    return report([arm("individual", "Individual", individual), arm("fedavg", "FedAvg", fedavg)], opts);
  });
}

test("per-seed case means, their mean, sample std and range across seeds, by hand", () => {
  const s = summariseSeeds(seedReports(), [11, 22]);
  assert.equal(s.format, "segviz-seed-summary/1");
  assert.deepEqual(s.seeds, [11, 22]);
  assert.equal(s.baseline, "individual");
  assert.deepEqual(s.organs, ORGANS);
  assert.deepEqual(s.arms, [
    { name: "individual", label: "Individual" },
    { name: "fedavg", label: "FedAvg" },
  ]);
  assert.deepEqual(Object.keys(s.metrics), ["dice", "diceHead"]);
  const d = s.metrics.dice!;

  // individual liver: seeds 0.5 and 0.75; mean 0.625; std of two values |a - b| / sqrt(2).
  const il = d.individual!.liver!;
  assert.deepEqual(il.perSeed, [0.5, 0.75]);
  close(il.mean, 0.625);
  close(il.std, 0.25 / Math.SQRT2);
  assert.equal(il.min, 0.5);
  assert.equal(il.max, 0.75);
  assert.equal(il.comparison, undefined, "the baseline is not compared with itself");

  // fedavg liver: seed 1 = 0.5 + (1+...+6)/6/64 = 0.5 + 3.5/64 = 0.5546875; seed 2 = 0.9296875.
  const fl = d.fedavg!.liver!;
  close(fl.perSeed[0], 0.5546875);
  close(fl.perSeed[1], 0.9296875);
  close(fl.mean, 0.7421875);
  close(fl.std, 0.375 / Math.SQRT2);
  close(fl.min, 0.5546875);
  close(fl.max, 0.9296875);

  // individual spleen: 0.5 in both seeds, so no spread.
  const is = d.individual!.spleen!;
  assert.deepEqual(is.perSeed, [0.5, 0.5]);
  close(is.std, 0);

  // fedavg spleen: sum of steps = -3, mean step -0.5/64 = -0.0078125.
  // seed 1 = 0.5625 - 0.0078125 = 0.5546875; seed 2 = 0.4375 - 0.0078125 = 0.4296875.
  const fs = d.fedavg!.spleen!;
  close(fs.perSeed[0], 0.5546875);
  close(fs.perSeed[1], 0.4296875);
  close(fs.mean, 0.4921875);
  close(fs.std, 0.125 / Math.SQRT2);
  close(fs.min, 0.4296875);
  close(fs.max, 0.5546875);

  // diceHead: individual 0.25 in both seeds, fedavg 0.25 then 0.5.
  const h = s.metrics.diceHead!;
  close(h.individual!.liver!.mean, 0.25);
  close(h.fedavg!.spleen!.mean, 0.375);
  close(h.fedavg!.spleen!.std, 0.25 / Math.SQRT2);
});

test("the comparison runs on per-case means over seeds: exact Wilcoxon and Holm by hand", () => {
  const d = summariseSeeds(seedReports(), [1, 2]).metrics.dice!;
  // Liver: case means over seeds fedavg 0.6875 + k/64 against individual 0.625, differences
  // 1/16 + k/64 > 0 for all six cases: R+ = 1+2+...+6 = 21, the largest value; exact two-sided
  // p = 2 P(R+ >= 21) = 2 / 2^6 = 0.03125. Mean difference 1/16 + 3.5/64 = 0.1171875.
  const liver = d.fedavg!.liver!.comparison!;
  assert.equal(liver.nPairs, 6);
  close(liver.meanDifference, 0.1171875);
  close(liver.pValue, 0.03125);
  // Spleen: differences s_k/64 = +1,-2,+3,-4,+5,-6 (/64): ranks of |d| are 1..6, R+ = 1+3+5 = 9,
  // below the centre 10.5. The number of subsets of {1..6} with sum r, r = 0..9, is
  // 1,1,1,2,2,3,4,4,4,5 (27 in all), so p = 2 P(R+ <= 9) = 2 * 27/64 = 0.84375.
  // Mean difference -3/6/64 = -0.0078125.
  const spleen = d.fedavg!.spleen!.comparison!;
  assert.equal(spleen.nPairs, 6);
  close(spleen.meanDifference, -0.0078125);
  close(spleen.pValue, 0.84375);
  // Holm over the arm's two organs: sorted p = (0.03125, 0.84375); the smaller times 2 = 0.0625;
  // the larger times 1 = 0.84375, kept monotone: max(0.0625, 0.84375) = 0.84375.
  close(liver.pHolm, 0.0625);
  close(spleen.pHolm, 0.84375);
  // With six cases and two organs the smallest Holm p is 0.0625: not significant at alpha 0.05.
  assert.equal(liver.significant, false);
  assert.equal(spleen.significant, false);
  // At alpha 0.1 the liver is (0.0625 < 0.1) and the spleen is not.
  const d10 = summariseSeeds(seedReports({ alpha: 0.1 }), [1, 2]).metrics.dice!;
  assert.equal(d10.fedavg!.liver!.comparison!.significant, true);
  assert.equal(d10.fedavg!.spleen!.comparison!.significant, false);
});

test("another arm as the baseline: the same pairs, the differences' signs reversed", () => {
  const s = summariseSeeds(seedReports(), [1, 2], "fedavg");
  assert.equal(s.baseline, "fedavg");
  const liver = s.metrics.dice!.individual!.liver!.comparison!;
  // The liver pairs of the test above, individual - fedavg: all six negative, same exact p.
  close(liver.meanDifference, -0.1171875);
  close(liver.pValue, 0.03125);
  assert.equal(s.metrics.dice!.fedavg!.liver!.comparison, undefined);
  assert.throws(
    () => summariseSeeds(seedReports(), [1, 2], "fedprox"),
    /baseline 'fedprox' is not one of the arms/,
  );
});

test("a null Dice (organ absent) is left out of the means; a case null in every seed is not paired", () => {
  const reports = seedReports();
  // fedavg, seed 1, case c6: liver absent. Seed 1's liver mean is over c1..c5:
  // 0.5 + (1+2+3+4+5)/5/64 = 0.5 + 3/64 = 0.546875.
  reports[0]!.arms[1]!.perCase[5]!.dice.liver = null;
  // individual, case c1, spleen absent in both seeds: no mean over seeds, so the pair is dropped.
  reports[0]!.arms[0]!.perCase[0]!.dice.spleen = null;
  reports[1]!.arms[0]!.perCase[0]!.dice.spleen = null;
  const d = summariseSeeds(reports, [1, 2]).metrics.dice!;
  close(d.fedavg!.liver!.perSeed[0], 0.546875);
  close(d.fedavg!.liver!.perSeed[1], 0.9296875);
  close(d.fedavg!.liver!.mean, (0.546875 + 0.9296875) / 2);
  // c6's liver mean over seeds is seed 2's alone (0.875 + 6/64 = 0.96875); still paired and still
  // the largest positive difference (0.34375), so all six differences stay positive.
  const liver = d.fedavg!.liver!.comparison!;
  assert.equal(liver.nPairs, 6);
  close(liver.pValue, 0.03125);
  // individual spleen: c2..c6 only, still 0.5.
  assert.deepEqual(d.individual!.spleen!.perSeed, [0.5, 0.5]);
  // Spleen pairs c2..c6: differences -2,+3,-4,+5,-6 (/64), ranks 1..5 with R+ = 2+4 = 6 (n = 5,
  // centre 7.5). Subsets of {1..5} with sum 0..6: 1,1,1,2,2,3,3 = 13; p = 2 * 13/32 = 0.8125.
  const spleen = d.fedavg!.spleen!.comparison!;
  assert.equal(spleen.nPairs, 5);
  close(spleen.pValue, 0.8125);
  close(spleen.meanDifference, -4 / 5 / 64);
});

test("fusion rules are metrics only when every seed's report has them", () => {
  const max = { liver: 0.25, spleen: 0.125 };
  const calibrated = { liver: 0.75, spleen: 0.625 };
  const reports = seedReports({ fusion: [{ max, calibrated }, { max }] });
  assert.deepEqual(sharedMetrics(reports), ["dice", "diceHead", "fusion:max"]);
  const s = summariseSeeds(reports, [1, 2]);
  assert.deepEqual(Object.keys(s.metrics), ["dice", "diceHead", "fusion:max"]);
  const fm = s.metrics["fusion:max"]!;
  assert.deepEqual(fm.fedavg!.liver!.perSeed, [0.25, 0.25]);
  close(fm.individual!.spleen!.mean, 0.125);
  close(fm.individual!.spleen!.std, 0);
  // Identical arms: every difference zero, nothing to test (NaN p-values).
  assert.ok(Number.isNaN(fm.fedavg!.liver!.comparison!.pValue));
  // No fusion anywhere: the two plain metrics only.
  assert.deepEqual(sharedMetrics(seedReports()), ["dice", "diceHead"]);
  // One seed without fusion: none shared.
  assert.deepEqual(sharedMetrics(seedReports({ fusion: [{ max }, undefined] })), ["dice", "diceHead"]);
});

test("caseMetric picks dice, diceHead or a fusion rule's scores", () => {
  const c = {
    caseId: "c1",
    dice: { liver: 0.5 },
    diceHead: { liver: 0.25 },
    diceFusion: { calibrated: { liver: 0.75 } },
    hd95: { liver: 3 },
    prediction: "p.nii.gz",
  };
  assert.deepEqual(caseMetric(c, "dice"), { liver: 0.5 });
  assert.deepEqual(caseMetric(c, "diceHead"), { liver: 0.25 });
  assert.deepEqual(caseMetric(c, "fusion:calibrated"), { liver: 0.75 });
  assert.equal(caseMetric(c, "fusion:max"), undefined);
  assert.equal(caseMetric(c, "hd95"), undefined);
  assert.equal(caseMetric({ ...c, diceFusion: undefined }, "fusion:calibrated"), undefined);
});

test("reports that do not match across seeds are refused, naming the seed", () => {
  const other = seedReports();
  other[1] = report([other[1]!.arms[0]! as unknown as ReturnType<typeof arm>]);
  assert.throws(() => summariseSeeds(other, [3, 7]), /seed 7's report has arms \[individual\]/);
  const cases = seedReports();
  (cases[1] as { testSet: { cases: string[] } }).testSet.cases = ["c1", "c2", "c3", "c4", "c5", "c7"];
  assert.throws(() => summariseSeeds(cases, [3, 7]), /seed 7 was tested on other cases/);
  assert.throws(() => summariseSeeds(seedReports(), [1]), /2 reports for 1 seeds/);
  assert.throws(() => summariseSeeds([], []), /no reports/);
});

test("the seed table: mean ± std [min, max] cells and +* where the arm is significantly higher", () => {
  // alpha 0.1: the liver's Holm p 0.0625 is significant, the spleen's 0.84375 is not.
  const text = formatSeedTable(summariseSeeds(seedReports({ alpha: 0.1 }), [1, 2]));
  const lines = text.split("\n");
  assert.match(lines[0]!, /^Arm\s+liver\s+spleen$/);
  const individual = lines.find((l) => l.startsWith("Individual"))!;
  const fedavg = lines.find((l) => l.startsWith("FedAvg"))!;
  // individual liver: 0.625 ± 0.1767... [0.5, 0.75].
  assert.ok(individual.includes("0.625 ± 0.177 [0.500, 0.750]"), individual);
  // fedavg liver 0.7421875 ± 0.2651... [0.5546875, 0.9296875], marked +*; spleen unmarked.
  assert.ok(fedavg.includes("0.742 ± 0.265 [0.555, 0.930] +*"), fedavg);
  assert.equal(fedavg.match(/[+-]\*/g)?.length, 1);
  assert.ok(fedavg.includes("0.492 ± 0.088 [0.430, 0.555]"), fedavg);
  assert.ok(!individual.includes("*"));
  assert.match(text, /over 2 seeds \(1, 2\)/);
  assert.match(text, /than Individual .*p < 0\.1\)/);
  // At alpha 0.05 nothing is significant with six cases and two organs (smallest Holm p 0.0625).
  const strict = formatSeedTable(summariseSeeds(seedReports(), [1, 2]));
  assert.ok(!/[+-]\*/.test(strict.split("\n").slice(0, 4).join("\n")), strict);
  assert.ok(strict.includes("0.625 ± 0.177 [0.500, 0.750]"));
  assert.throws(() => formatSeedTable(summariseSeeds(seedReports(), [1, 2]), "fusion:max"), /no metric/);
});

test("parseSeedList: lists and ranges, distinct, in order given; bad lists name --seeds", () => {
  assert.deepEqual(parseSeedList("1-3,5,2"), [1, 2, 3, 5]);
  assert.deepEqual(parseSeedList("7"), [7]);
  assert.deepEqual(parseSeedList(" 4 , 0-1 "), [4, 0, 1]);
  for (const bad of ["", "a", "1,,2", "3-1", "-1", "1.5", "1-2-3"]) {
    assert.throws(() => parseSeedList(bad), /^Error: --seeds: expected seeds like/, bad);
  }
  assert.throws(() => parseSeedList("x", "/seeds"), /^Error: \/seeds: /);
});

test("seedExperiment: the seed, its own folder under outDir, the shared cache", () => {
  const exp = { name: "e", seed: 0, outDir: "runs/study", cacheDir: "runs/cache" } as ExperimentConfig;
  const e = seedExperiment(exp, 5);
  assert.equal(e.seed, 5);
  assert.equal(e.outDir, join("runs/study", "seed-5"));
  assert.equal(e.cacheDir, "runs/cache");
  assert.equal(e.name, "e");
  assert.equal(exp.outDir, "runs/study", "the experiment itself is not changed");
  assert.equal(exp.seed, 0);
});
