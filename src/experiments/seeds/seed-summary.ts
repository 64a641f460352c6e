// A study repeated over several training seeds (initial weights and patch sampling; the data and
// the test set stay the same), summarised so that a difference between arms is a claim about the
// methods rather than about one draw. Per arm and organ: the mean over seeds of the case-mean
// Dice, its spread across seeds (sample std, min, max), and a paired two-sided Wilcoxon test
// against the baseline arm over test cases on each case's Dice averaged over the seeds (Holm
// across the organs of an arm). Averaging over seeds first keeps the cases as the independent
// units; the seed-to-seed spread sits beside it, so a large p-value and a large spread read together.
import type { StudyReport } from "../report/report-types.js";
import { type CaseScore, compareArmsToBaseline } from "../statistics/index.js";

/** Which per-case score: the fused label map's Dice, the organ's own head alone, or a fusion rule's. */
type SeedMetric = string;

interface SeedCell {
  /** Case-mean Dice of each seed, in seed order (null where no case defines it). */
  perSeed: (number | null)[];
  mean: number | null;
  /** Sample standard deviation across seeds. */
  std: number | null;
  min: number | null;
  max: number | null;
  /** Against the baseline on the per-case means over seeds (absent for the baseline itself). */
  comparison?: {
    nPairs: number;
    meanDifference: number;
    pValue: number;
    pHolm: number;
    significant: boolean;
  };
}

export interface SeedSummary {
  format: "segviz-seed-summary/1";
  seeds: number[];
  baseline: string;
  alpha: number;
  organs: string[];
  arms: { name: string; label: string }[];
  /** metric -> arm -> organ -> cell. */
  metrics: Record<SeedMetric, Record<string, Record<string, SeedCell>>>;
}

/** The per-case scores a report holds for a metric: "dice", "diceHead", or "fusion:<rule>". */
export function caseMetric(
  c: StudyReport["arms"][number]["perCase"][number],
  metric: SeedMetric,
): Record<string, number | null> | undefined {
  if (metric === "dice") return c.dice;
  if (metric === "diceHead") return c.diceHead;
  if (metric.startsWith("fusion:")) return c.diceFusion?.[metric.slice(7)];
  return undefined;
}

function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function spread(values: readonly (number | null)[]): Pick<SeedCell, "mean" | "std" | "min" | "max"> {
  const v = values.filter((x): x is number => x !== null);
  const m = meanOf(v);
  const std =
    v.length > 1 && m !== null ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : null;
  return { mean: m, std, min: v.length ? Math.min(...v) : null, max: v.length ? Math.max(...v) : null };
}

/** Metrics every report carries for every arm (dice, diceHead and any fusion rule all share). */
export function sharedMetrics(reports: readonly StudyReport[]): SeedMetric[] {
  const rules = reports.map(
    (r) =>
      new Set(
        r.arms.flatMap((a) =>
          a.perCase.flatMap((c) => Object.keys(c.diceFusion ?? {}).map((k) => `fusion:${k}`)),
        ),
      ),
  );
  const common = [...(rules[0] ?? [])].filter((m) => rules.every((s) => s.has(m)));
  return ["dice", "diceHead", ...common];
}

/** `baseline` defaults to the reports' own; another arm of theirs may be named (e.g. an ablation's reference). */
export function summariseSeeds(
  reports: readonly StudyReport[],
  seeds: readonly number[],
  baselineArm?: string,
): SeedSummary {
  if (reports.length === 0) throw new Error("summariseSeeds: no reports");
  if (reports.length !== seeds.length)
    throw new Error(`summariseSeeds: ${reports.length} reports for ${seeds.length} seeds`);
  const first = reports[0]!;
  const arms = first.arms.map((a) => ({ name: a.name, label: a.label }));
  reports.forEach((r, i) => {
    const names = r.arms.map((a) => a.name).join();
    if (names !== arms.map((a) => a.name).join())
      throw new Error(`summariseSeeds: seed ${seeds[i]}'s report has arms [${names}], not the first seed's`);
    if (r.testSet.cases.join() !== first.testSet.cases.join())
      throw new Error(`summariseSeeds: seed ${seeds[i]} was tested on other cases than the first seed`);
  });
  const organs = first.organs;
  const baseline = baselineArm ?? first.baseline;
  if (!arms.some((a) => a.name === baseline))
    throw new Error(
      `summariseSeeds: baseline '${baseline}' is not one of the arms [${arms.map((a) => a.name).join(", ")}]`,
    );
  const metrics: SeedSummary["metrics"] = {};
  for (const metric of sharedMetrics(reports)) {
    const table: Record<string, Record<string, SeedCell>> = {};
    const caseMeans = new Map<string, CaseScore[]>();
    for (const arm of arms) {
      const perArm = reports.map((r) => r.arms.find((a) => a.name === arm.name)!);
      table[arm.name] = {};
      const scores: CaseScore[] = [];
      for (const organ of organs) {
        const perSeed = perArm.map((a) =>
          meanOf(
            a.perCase
              .map((c) => caseMetric(c, metric)?.[organ] ?? null)
              .filter((x): x is number => x !== null),
          ),
        );
        table[arm.name]![organ] = { perSeed, ...spread(perSeed) };
        for (const caseId of first.testSet.cases) {
          const values = perArm
            .map((a) => caseMetric(a.perCase.find((c) => c.caseId === caseId)!, metric)?.[organ] ?? null)
            .filter((x): x is number => x !== null);
          scores.push({ caseId, organ, value: meanOf(values) ?? Number.NaN });
        }
      }
      caseMeans.set(arm.name, scores);
    }
    for (const c of compareArmsToBaseline(caseMeans, baseline, { organs })) {
      table[c.arm]![c.organ]!.comparison = {
        nPairs: c.nPairs,
        meanDifference: c.meanDifference,
        pValue: c.test.pValue,
        pHolm: c.pHolm,
        significant: c.pHolm < first.alpha,
      };
    }
    metrics[metric] = table;
  }
  return {
    format: "segviz-seed-summary/1",
    seeds: [...seeds],
    baseline,
    alpha: first.alpha,
    organs,
    arms,
    metrics,
  };
}
