// The seed summary as plain-text tables: arms as rows, organs as columns, each cell the mean over
// seeds of the case-mean Dice with its spread across seeds and a significance marker against the
// baseline (tested on per-case means over seeds).
import type { SeedSummary } from "./seed-summary.js";

const GAP = "  ";

function fmt(v: number | null): string {
  return v === null ? "—" : v.toFixed(3);
}

const DESCRIPTIONS: Record<string, string> = {
  dice: "Dice of the fused label map",
  diceHead: "Dice of each organ's own head alone (no fusion)",
};

function describeMetric(metric: string): string {
  return (
    DESCRIPTIONS[metric] ?? `Dice of the label map fused by the '${metric.replace(/^fusion:/, "")}' rule`
  );
}

export function formatSeedTable(summary: SeedSummary, metric = "dice"): string {
  const table = summary.metrics[metric];
  if (table === undefined) throw new Error(`formatSeedTable: the summary has no metric '${metric}'`);
  const header = ["Arm", ...summary.organs];
  const body = summary.arms.map((arm) => [
    arm.label,
    ...summary.organs.map((organ) => {
      const c = table[arm.name]![organ]!;
      const mark =
        c.comparison === undefined
          ? "  "
          : c.comparison.significant
            ? c.comparison.meanDifference > 0
              ? "+*"
              : "-*"
            : "  ";
      return `${fmt(c.mean)} ± ${fmt(c.std)} [${fmt(c.min)}, ${fmt(c.max)}] ${mark}`;
    }),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
      .join(GAP)
      .trimEnd();
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join(GAP),
    ...body.map(line),
    "",
    `${describeMetric(metric)} on the external test set over ${summary.seeds.length} seeds (${summary.seeds.join(", ")}): mean ± std [min, max] across seeds of each seed's mean over cases.`,
    `+* / -*: significantly higher / lower than ${summary.arms.find((a) => a.name === summary.baseline)?.label ?? summary.baseline} (paired Wilcoxon signed-rank over test cases on each case's Dice averaged over the seeds, Holm across organs, p < ${summary.alpha}).`,
  ].join("\n");
}
