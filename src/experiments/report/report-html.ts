// report.html: the whole study in one self-contained, offline file (inline CSS, inline SVG, PNGs
// as data: URIs, no URL anywhere), rendered only from the StudyReport, every text escaped.

import { escapeMarkup as esc } from "./escape-markup.js";
import {
  DASH,
  fixed,
  formatBytes,
  formatInteger,
  formatP,
  formatSeconds,
  signedFixed,
} from "./format-numbers.js";
import { armLabel, type Metric, type MetricCell, metricRows, significanceLegend } from "./metric-cells.js";
import { overlayGeometry, renderOverlayPng } from "./overlay-png.js";
import { organCss } from "./palette.js";
import { PRIVACY_LEGEND, privacyRows } from "./privacy-rows.js";
import type { ArmReport, OverlaySlice, StudyReport } from "./report-types.js";
import { diceBoxPlotSvg } from "./svg-box-plot.js";
import { lineChartSvg } from "./svg-line-chart.js";

const CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1d1d1f;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 40px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; margin: 22px 0 8px; }
.meta { color: #555; font-size: 0.92em; margin: 2px 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
pre { background: #f6f7f9; border: 1px solid #e3e5e8; border-radius: 4px; padding: 10px; overflow-x: auto; }
.callout { background: #fff8e5; border-left: 4px solid #e0a800; padding: 8px 14px; margin: 18px 0; }
.callout ul { margin: 4px 0; padding-left: 20px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
th, td { border: 1px solid #e0e0e0; padding: 4px 9px; vertical-align: top; }
th { background: #f6f7f9; text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sig { color: #b3261e; font-weight: 600; cursor: help; margin-left: 3px; }
.sig.up { color: #1b7f3b; }
.tag { font-size: 0.78em; color: #555; border: 1px solid #ccc; border-radius: 3px; padding: 0 4px; margin-left: 6px; }
.legend { color: #555; font-size: 0.88em; margin: 4px 0 0; }
.bad { color: #b3261e; font-weight: 600; }
figure { margin: 10px 0; }
figcaption { font-size: 0.85em; color: #444; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
.slices { display: flex; flex-wrap: wrap; gap: 10px; }
.charts svg { max-width: 100%; height: auto; }
.slices figure { margin: 0; max-width: 260px; }
.slices img { max-width: 100%; height: auto; image-rendering: pixelated; display: block; background: #000; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 12px; vertical-align: -1px; }
details { margin: 10px 0; }
summary { cursor: pointer; font-weight: 600; }
`;

export function renderReportHtml(report: StudyReport): string {
  const sections = [
    header(report),
    notes(report),
    section("Dice on the external test set", metricTable(report, "dice")),
    section("Dice of each organ's own head (unfused, the study's protocol)", metricTable(report, "diceHead")),
    section("HD95 on the external test set", metricTable(report, "hd95")),
    section(`Comparisons against ${armLabel(report, report.baseline)}`, comparisons(report)),
    section("Dice per organ and arm", boxPlots(report)),
    section("Training curves", curves(report)),
    sharing(report),
    privacy(report),
    slices(report),
    section("Arms", armsTable(report)),
    section("Sites", `${sitesTable(report)}\n${skippedTable(report)}`),
    section("Settings", `${settings(report)}\n${inputs(report)}`),
    section("Per-case Dice", perCase(report)),
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(report.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    "<main>",
    ...sections.filter((s) => s !== ""),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function section(title: string, body: string): string {
  return `<section>\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function table(head: string[], rows: string[][], numeric: (j: number) => boolean): string {
  const th = head.map((h, j) => `<th${numeric(j) ? ' class="num"' : ""}>${h}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((c, j) => `<td${numeric(j) ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`)
    .join("\n");
  return `<div class="scroll"><table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

function header(report: StudyReport): string {
  const m = report.machine;
  const machine = `${m.platform}, ${m.cpuModel}, ${m.cpus} CPUs, ${m.threads} threads, Node ${m.node}, libtorch ${m.libtorch}`;
  const s = report.seconds;
  return [
    "<header>",
    `<h1>${esc(report.title)}</h1>`,
    `<p class="meta">Created ${esc(report.createdAt)}</p>`,
    `<p class="meta">Command: <code>${esc(report.command)}</code></p>`,
    `<p class="meta">Machine: ${esc(machine)}</p>`,
    `<p class="meta">Program: ${esc(programText(report))}; device ${esc(report.provenance.device)}, seed ${report.provenance.seed}</p>`,
    `<p class="meta">External test set: ${esc(report.testSet.name)}, ${report.testSet.cases.length} cases. ` +
      `Time: ${formatSeconds(s.total)} s in all (data ${formatSeconds(s.data)} s, ` +
      `evaluation ${formatSeconds(s.evaluation)} s).</p>`,
    "</header>",
  ].join("\n");
}

function programText(report: StudyReport): string {
  const p = report.provenance.program;
  const commit =
    p.commit === null ? "commit unknown" : `commit ${p.commit}${p.modified ? " with local changes" : ""}`;
  return `${p.name} ${p.version}, ${commit}`;
}

/** The inputs' content fingerprints: a rerun used the same data exactly when these are equal. */
function inputs(report: StudyReport): string {
  const { sites, test } = report.provenance.inputs;
  const rows = [
    ...Object.entries(sites).map(([name, f]) => [esc(name), f] as const),
    [`${esc(report.testSet.name)} (external test)`, test] as const,
  ].map(([name, f]) => [name, String(f.cases), String(f.skipped), `<code>${esc(f.sha256)}</code>`]);
  return (
    "<details><summary>Input fingerprints (sha256 of every file's bytes, per data set)</summary>\n" +
    table(["data set", "cases", "skipped", "fingerprint"], rows, (j) => j === 1 || j === 2) +
    "\n</details>"
  );
}

function notes(report: StudyReport): string {
  if (report.notes.length === 0) return "";
  const items = report.notes.map((n) => `<li>${esc(n)}</li>`).join("\n");
  return `<aside class="callout"><strong>Notes</strong>\n<ul>\n${items}\n</ul></aside>`;
}

function metricTable(report: StudyReport, metric: Metric): string {
  const rows = metricRows(report, metric);
  const head = ["Arm", ...report.organs.map(esc), "Train s"];
  const body = rows.map((row) => [
    esc(row.arm.label) + (row.arm.name === report.baseline ? '<span class="tag">baseline</span>' : ""),
    ...row.cells.map(metricCell),
    formatSeconds(row.arm.trainSeconds),
  ]);
  const legend =
    metric === "dice"
      ? `Dice of the fused label map (each voxel takes the organ whose head is most confident above the threshold). Mean ± sample std over the test cases where Dice is defined; best mean per organ in bold. ${significanceLegend(report)}.`
      : metric === "diceHead"
        ? `Dice of each organ's own head alone, before fusion, as the study scored its per-organ models (for a single multi-class model, the same as the fused map). Mean ± sample std; best mean per organ in bold. ${significanceLegend(report)}.`
        : "HD95 in mm, mean ± sample std over the cases where both masks are non-empty; lower is better, " +
          "best mean per organ in bold. Not tested for significance (the comparisons are on Dice).";
  return `${table(head, body, (j) => j > 0)}\n<p class="legend">${esc(legend)}</p>`;
}

function metricCell(cell: MetricCell): string {
  const value = cell.best ? `<strong>${esc(cell.text)}</strong>` : esc(cell.text);
  const c = cell.comparison;
  const marker =
    cell.marker === "" || c === undefined
      ? ""
      : `<span class="sig${cell.marker === "+*" ? " up" : ""}" title="${esc(
          `${cell.marker === "+*" ? "higher" : "lower"} than the baseline: mean difference ` +
            `${signedFixed(c.meanDifference, 3)}, p = ${formatP(c.pValue)}, Holm p = ${formatP(c.pHolm)}, ` +
            `n = ${c.nPairs} pairs`,
        )}">${cell.marker}</span>`;
  return `<span title="n = ${cell.n}">${value}</span>${marker}`;
}

function comparisons(report: StudyReport): string {
  if (report.comparisons.length === 0) return "<p>No comparisons.</p>";
  const head = [
    "Arm",
    "Dice of",
    "Organ",
    "n pairs",
    "Arm mean",
    "Baseline mean",
    "Mean difference",
    "W",
    "p",
    "Holm p",
    "Significant",
  ];
  const rows = report.comparisons.map((c) => [
    esc(armLabel(report, c.arm)),
    (c.metric ?? "dice") === "dice" ? "fused map" : "own head",
    esc(c.organ),
    String(c.nPairs),
    fixed(c.armMean, 3),
    fixed(c.baselineMean, 3),
    signedFixed(c.meanDifference, 3),
    fixed(c.statistic, 1),
    formatP(c.pValue),
    formatP(c.pHolm),
    c.significant ? "<strong>yes</strong>" : "no",
  ]);
  const legend =
    `Dice of each arm against ${armLabel(report, report.baseline)}, paired by test case: two-sided Wilcoxon ` +
    `signed-rank test, W the test statistic, Holm-adjusted across the organs of each arm (per Dice kind), significant at Holm p < ${report.alpha}.`;
  return `${table(head, rows, (j) => j >= 3 && j <= 9)}\n<p class="legend">${esc(legend)}</p>`;
}

function boxPlots(report: StudyReport): string {
  const svg = diceBoxPlotSvg(report, { inline: true, title: "Dice per organ and arm" });
  return (
    `<figure class="scroll">${svg}<figcaption>Boxes: quartiles (linear interpolation); whiskers: the most ` +
    "extreme cases within 1.5 IQR of the box; open circles: outliers; dots: the other cases.</figcaption></figure>"
  );
}

function curves(report: StudyReport): string {
  const charts = report.arms.map((arm) =>
    arm.curves.length === 0
      ? `<figure><figcaption>${esc(arm.label)}: no training curve recorded.</figcaption></figure>`
      : `<figure>${lineChartSvg(arm.curves, { inline: true, title: arm.label, plotWidth: 340 })}</figure>`,
  );
  return `<div class="charts">\n${charts.join("\n")}\n</div>`;
}

function sharing(report: StudyReport): string {
  const arms = report.arms.filter(
    (a): a is ArmReport & { sharing: NonNullable<ArmReport["sharing"]> } => a.sharing !== undefined,
  );
  if (arms.length === 0) return "";
  const head = [
    "Arm",
    "Rounds",
    "Shared tensors",
    "Shared values (parameters and buffers)",
    "Local tensors per site",
    "Shared weights identical at every site",
    "Rounds verified",
    "Body changed from initial",
    "Received",
    "Sent",
  ];
  const yesNo = (ok: boolean) => (ok ? "yes" : '<span class="bad">no</span>');
  const rows = arms.map((a) => {
    const s = a.sharing;
    const local = Object.entries(s.localTensorsPerSite)
      .map(([site, n]) => `${esc(site)}: ${n}`)
      .join("<br>");
    return [
      esc(a.label),
      String(s.rounds),
      formatInteger(s.sharedTensors),
      formatInteger(s.sharedParameters),
      local || DASH,
      yesNo(s.sharedIdenticalAcrossSites),
      // Fewer verified rounds than rounds is a gap in the evidence, flagged like a failed check.
      s.roundsVerified === s.rounds
        ? String(s.roundsVerified)
        : `<span class="bad">${s.roundsVerified}</span>`,
      yesNo(s.bodyChangedFromInitial),
      formatBytes(s.bytesIn),
      formatBytes(s.bytesOut),
    ];
  });
  const legend =
    "The tensors the coordinator aggregated and the tensors each site kept local; whether, in every verified " +
    "round, every site's model held exactly the shared tensors the coordinator sent (digests of the tensors as " +
    "loaded against those received); whether the final shared weights differ from the initial ones; and the " +
    "bytes the coordinator received and sent over gRPC.";
  return section(
    "What was shared",
    `${table(head, rows, (j) => [1, 2, 3, 6, 8, 9].includes(j))}\n<p class="legend">${esc(legend)}</p>`,
  );
}

function privacy(report: StudyReport): string {
  const rows = privacyRows(report);
  if (rows.length === 0) return "";
  const head = ["Arm", "Mean Dice", "ε (δ)", "Noise", "Secure aggregation", "Final clipping norm"];
  const body = rows.map((r) =>
    [r.label, r.meanDice, r.epsilon, r.noise, r.secureAggregation, r.clipNorm].map(esc),
  );
  return section(
    "Privacy",
    `${table(head, body, (j) => [1, 2, 5].includes(j))}\n<p class="legend">${esc(PRIVACY_LEGEND)}</p>`,
  );
}

function slices(report: StudyReport): string {
  if (report.overlays.length === 0) return "";
  const key = report.organs
    .map((o, i) => `<span class="swatch" style="background: ${organCss(i + 1)}"></span>${esc(o)}`)
    .join("");
  const blocks = report.overlays.map((ov) => {
    const figures = [
      figure(ov, null, "CT"),
      figure(ov, ov.truth, "Ground truth"),
      ...report.arms
        .filter((arm) => ov.predictions[arm.name] !== undefined)
        .map((arm) => figure(ov, ov.predictions[arm.name], arm.label, caseDice(report, arm, ov.caseId))),
    ];
    return `<h3>${esc(ov.caseId)}, axial slice ${ov.sliceIndex}</h3>\n<div class="slices">\n${figures.join("\n")}\n</div>`;
  });
  const legend =
    "Radiological convention: anterior at the top, patient right on the left of the image. " +
    "CT window −160 to 240 HU.";
  return section(
    "Axial slices",
    `<p class="legend">${key}</p>\n<p class="legend">${esc(legend)}</p>\n${blocks.join("\n")}`,
  );
}

function figure(slice: OverlaySlice, labels: number[] | null, caption: string, detail = ""): string {
  const { width, height } = overlayGeometry(slice.rows, slice.cols, slice.pixelMm);
  const png = renderOverlayPng(slice, labels).toString("base64");
  const alt = `${caption}, ${slice.caseId} slice ${slice.sliceIndex}`;
  const extra = detail === "" ? "" : `<br>${esc(detail)}`;
  return (
    `<figure><img src="data:image/png;base64,${png}" width="${width}" height="${height}" alt="${esc(alt)}">` +
    `<figcaption><strong>${esc(caption)}</strong>${extra}</figcaption></figure>`
  );
}

function caseDice(report: StudyReport, arm: ArmReport, caseId: string): string {
  const result = arm.perCase.find((c) => c.caseId === caseId);
  if (result === undefined) return "Dice: not evaluated";
  return `Dice ${report.organs.map((o) => `${o} ${fixed(result.dice[o], 3)}`).join(", ")}`;
}

function armsTable(report: StudyReport): string {
  const head = ["Arm", "Name", "Kind", "Strategy", "Loss", "Train s", "Eval s", "Checkpoints"];
  const rows = report.arms.map((a) => [
    esc(a.label),
    `<code>${esc(a.name)}</code>`,
    esc(a.kind),
    esc(a.strategy ?? DASH),
    esc(a.loss),
    formatSeconds(a.trainSeconds),
    formatSeconds(a.evalSeconds),
    a.checkpoints.map((c) => `<code>${esc(c)}</code>`).join("<br>") || DASH,
  ]);
  return table(head, rows, (j) => j === 5 || j === 6);
}

function sitesTable(report: StudyReport): string {
  const head = ["Site", "Organs", "Training cases", "HU window"];
  const rows = report.sites.map((s) => [
    esc(s.name),
    esc(s.organs.join(", ")),
    String(s.trainingCases),
    `${s.window[0]} to ${s.window[1]}`,
  ]);
  return table(head, rows, (j) => j >= 2);
}

/** Every training case a site left out, or a line saying none was. */
function skippedTable(report: StudyReport): string {
  const rows = Object.entries(report.skipped).flatMap(([site, cases]) =>
    cases.map((c) => [esc(site), esc(c.id), esc(c.stage), `<code>${esc(c.file)}</code>`, esc(c.reason)]),
  );
  if (rows.length === 0) return "<p>No training case was skipped.</p>";
  return (
    `<p class="bad">${rows.length} training case(s) were skipped (onBadCase "skip") and are in no arm:</p>\n` +
    table(["Site", "Case", "Stage", "File", "Reason"], rows, () => false)
  );
}

function settings(report: StudyReport): string {
  return (
    "<details><summary>Experiment settings (resolved, defaults filled in)</summary>\n" +
    `<pre>${esc(JSON.stringify(report.settings, null, 2))}</pre>\n</details>`
  );
}

function perCase(report: StudyReport): string {
  return report.arms
    .map((arm) => {
      const head = ["Case", ...report.organs.map(esc), "Prediction"];
      const rows = arm.perCase.map((c) => [
        esc(c.caseId),
        ...report.organs.map((o) => fixed(c.dice[o], 3)),
        `<code>${esc(c.prediction)}</code>`,
      ]);
      return (
        `<details><summary>${esc(arm.label)} (${arm.perCase.length} cases)</summary>\n` +
        `${table(head, rows, (j) => j >= 1 && j <= report.organs.length)}\n</details>`
      );
    })
    .join("\n");
}
