// The files of one evaluation: a CSV with one row per case x organ (case, organ, dice, hd95_mm),
// for spreadsheets and pandas, and a JSON with every number (per case, per organ, and the per-organ
// summary) plus the rules behind NaN values. NaN is written "NaN" in the CSV (pandas and numpy
// read it back as NaN) and null in the JSON (JSON has no NaN).

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MetricsEvaluation, OrganCaseMetrics } from "./evaluation.js";
import type { MetricSummary } from "./summary.js";

interface MetricsTablePaths {
  csv: string;
  json: string;
}

/** The CSV text: header case,organ,dice,hd95_mm and one row per case x organ. */
export function metricsCsv(evaluation: MetricsEvaluation): string {
  const lines = ["case,organ,dice,hd95_mm"];
  for (const row of evaluation.rows) {
    lines.push(
      [csvField(row.caseId), csvField(row.organ), csvNumber(row.dice), csvNumber(row.hd95Mm)].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

type OrganScores = Omit<OrganCaseMetrics, "caseId" | "organ">;

interface MetricsJson {
  organs: MetricsEvaluation["organs"];
  rules: MetricsEvaluation["rules"];
  /** case id -> organ name -> scores */
  cases: Record<string, Record<string, OrganScores>>;
  /** organ name -> metric -> summary */
  summary: Record<string, { dice: MetricSummary; hd95Mm: MetricSummary; assdMm: MetricSummary }>;
}

/** The JSON document: per case, per organ, and summary (NaN becomes null once stringified). */
function metricsJson(evaluation: MetricsEvaluation): MetricsJson {
  const cases: MetricsJson["cases"] = {};
  for (const { caseId, organ, ...scores } of evaluation.rows) {
    cases[caseId] ??= {};
    cases[caseId][organ] = scores;
  }
  const summary: MetricsJson["summary"] = {};
  for (const { organ, ...metrics } of evaluation.summary) summary[organ] = metrics;
  return { organs: evaluation.organs, rules: evaluation.rules, cases, summary };
}

/** Writes `<name>.csv` and `<name>.json` into `dir` (created if missing) and returns their paths. */
export async function writeMetricsTables(
  dir: string,
  evaluation: MetricsEvaluation,
  name = "metrics",
): Promise<MetricsTablePaths> {
  await mkdir(dir, { recursive: true });
  const paths = { csv: join(dir, `${name}.csv`), json: join(dir, `${name}.json`) };
  await writeFile(paths.csv, metricsCsv(evaluation));
  // JSON has neither NaN nor Infinity: NaN is written null, and Infinity the string "Infinity".
  const json = JSON.stringify(
    metricsJson(evaluation),
    (_k, v) => (v === Number.POSITIVE_INFINITY ? "Infinity" : v),
    2,
  );
  await writeFile(paths.json, `${json}\n`);
  return paths;
}

function csvNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  // pandas and numpy read "inf" back as infinity (MONAI's distance rule for one empty mask).
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return String(x);
}

/** RFC 4180 quoting, only where needed. */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
