// The content of the study's results tables (arms x organs), computed once for both the terminal
// table and the HTML report: summary text per cell and the significance marker against the baseline.

import { meanStd } from "./format-numbers.js";
import type { ArmReport, Comparison, StudyReport } from "./report-types.js";

export type Metric = "dice" | "diceHead" | "hd95";

export interface MetricCell {
  organ: string;
  mean: number | null;
  std: number | null;
  n: number;
  /** "mean ± std" (or "—"). */
  text: string;
  /** "+*" significantly higher than the baseline, "-*" lower, "" otherwise. */
  marker: "" | "+*" | "-*";
  /** The arm-vs-baseline test behind the marker (Dice only; none for the baseline itself). */
  comparison?: Comparison;
  /** Best mean of the organ's column (highest Dice, lowest HD95); ties all count. */
  best: boolean;
}

interface MetricRow {
  arm: ArmReport;
  cells: MetricCell[];
}

const DECIMALS: Record<Metric, number> = { dice: 3, diceHead: 3, hd95: 1 };

/** Label of an arm by name, the name itself when no arm has it. */
export function armLabel(report: StudyReport, name: string): string {
  return report.arms.find((a) => a.name === name)?.label ?? name;
}

function comparisonFor(
  report: StudyReport,
  arm: string,
  organ: string,
  metric: "dice" | "diceHead" = "dice",
): Comparison | undefined {
  return report.comparisons.find(
    (c) => c.arm === arm && c.organ === organ && (c.metric ?? "dice") === metric,
  );
}

function significanceMarker(c: Comparison | undefined): "" | "+*" | "-*" {
  if (c === undefined || !c.significant) return "";
  return c.meanDifference > 0 ? "+*" : c.meanDifference < 0 ? "-*" : "";
}

/** How the markers were tested, one line (the comparisons are paired by case, Dice only). */
export function significanceLegend(report: StudyReport): string {
  return (
    `+* / -*: significantly higher / lower Dice than ${armLabel(report, report.baseline)} ` +
    `(paired Wilcoxon signed-rank vs ${armLabel(report, report.baseline)}, Holm across organs, p < ${report.alpha})`
  );
}

export function metricRows(report: StudyReport, metric: Metric): MetricRow[] {
  const rows: MetricRow[] = report.arms.map((arm) => ({
    arm,
    cells: report.organs.map((organ) => {
      const stat = arm.summary[organ]?.[metric] ?? { mean: null, std: null, n: 0 };
      // Comparisons are on Dice only, so HD95 cells carry no marker.
      const comparison = metric === "hd95" ? undefined : comparisonFor(report, arm.name, organ, metric);
      const cell: MetricCell = {
        organ,
        mean: stat.mean,
        std: stat.std,
        n: stat.n,
        text: meanStd(stat.mean, stat.std, DECIMALS[metric]),
        marker: significanceMarker(comparison),
        best: false,
      };
      if (comparison !== undefined) cell.comparison = comparison;
      return cell;
    }),
  }));
  for (const [j] of report.organs.entries()) {
    // Compared as displayed, so means that print the same are all marked best.
    const shown = rows.map((r) => displayed(r.cells[j].mean, DECIMALS[metric]));
    const finite = shown.filter((m): m is number => m !== null);
    if (finite.length === 0) continue;
    const best = metric === "hd95" ? Math.min(...finite) : Math.max(...finite);
    for (const [i, r] of rows.entries()) r.cells[j].best = shown[i] === best;
  }
  return rows;
}

function displayed(mean: number | null, decimals: number): number | null {
  return mean === null || !Number.isFinite(mean) ? null : Number(mean.toFixed(decimals));
}
