// The study's results as plain-text tables for the terminal and logs: arms as rows, organs as
// columns, "mean ± std" per cell, significance markers in ASCII, training seconds last.

import { formatSeconds } from "./format-numbers.js";
import { type Metric, metricRows, significanceLegend } from "./metric-cells.js";
import { PRIVACY_LEGEND, privacyRows } from "./privacy-rows.js";
import type { StudyReport } from "./report-types.js";

const GAP = "  ";

/** Dice (3 decimals) per arm and organ, "+*" / "-*" where significantly different from the baseline. */
export function formatDiceTable(report: StudyReport): string {
  return formatTable(report, "dice", [
    "Dice on the external test set, mean ± std over cases.",
    significanceLegend(report),
  ]);
}

/** Dice of each organ's own head, unfused: the study's per-organ protocol. */
export function formatHeadDiceTable(report: StudyReport): string {
  return formatTable(report, "diceHead", [
    "Dice of each organ's own head alone (no fusion: how the study scored its per-organ models), mean ± std over cases.",
    significanceLegend(report),
  ]);
}

/** HD95 in mm (1 decimal) per arm and organ; lower is better, not tested for significance. */
export function formatHd95Table(report: StudyReport): string {
  return formatTable(report, "hd95", [
    "HD95 (mm) on the external test set, mean ± std over cases where both masks are non-empty; lower is better.",
    "No significance test on HD95 (the comparisons against the baseline are on Dice).",
  ]);
}

function formatTable(report: StudyReport, metric: Metric, legend: string[]): string {
  const rows = metricRows(report, metric);
  const header = ["Arm", ...report.organs, "Train s"];
  const body = rows.map((row) => [
    row.arm.label,
    ...row.cells.map((cell, j) => {
      // Every cell of a column with markers reserves the marker's width, so the numbers stay aligned.
      const columnHasMarker = rows.some((r) => r.cells[j].marker !== "");
      return columnHasMarker ? `${cell.text} ${cell.marker.padEnd(2)}` : cell.text;
    }),
    formatSeconds(row.arm.trainSeconds),
  ]);
  return [...aligned(header, body), "", ...legend].join("\n");
}

/** Header, rule and rows with the first column (labels) left-aligned and the others right-aligned. */
function aligned(header: string[], body: string[][]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
      .join(GAP)
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join(GAP), ...body.map(line)];
}

/** The federated arms' Dice beside their privacy budget; empty when no arm is private. */
export function formatPrivacyTable(report: StudyReport): string {
  const rows = privacyRows(report);
  if (rows.length === 0) return "";
  const header = ["Arm", "Mean Dice", "epsilon (delta)", "Noise", "SecAgg", "Clip norm"];
  const body = rows.map((r) => [r.label, r.meanDice, r.epsilon, r.noise, r.secureAggregation, r.clipNorm]);
  return [...aligned(header, body), "", PRIVACY_LEGEND].join("\n");
}
