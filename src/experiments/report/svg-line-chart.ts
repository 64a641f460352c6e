// Training curves as an SVG line chart: loss against epoch or round, one line per series (a site or
// the central model), axes at nice tick values, a legend on the right.

import { escapeMarkup } from "./escape-markup.js";
import { formatTick, niceTicks } from "./nice-ticks.js";
import { armColour } from "./palette.js";
import type { CurveSeries } from "./report-types.js";
import { px, type SvgRootOptions, svgRoot, textWidth } from "./svg-document.js";

export interface LineChartOptions extends SvgRootOptions {
  /** Drawn above the plot (and the chart's accessible name). */
  title?: string;
  /** Size of the plotting area in px (the legend and axes come on top). */
  plotWidth?: number;
  plotHeight?: number;
  yLabel?: string;
  /** Series colours; default the palette by series index. */
  colours?: string[];
}

const LEFT = 62;
const BOTTOM = 46;
const LEGEND_FONT = 11;
/** Markers on the points only while they do not crowd the line. */
const MAX_MARKED_POINTS = 40;

export function lineChartSvg(series: CurveSeries[], options: LineChartOptions = {}): string {
  const plotW = options.plotWidth ?? 440;
  const plotH = options.plotHeight ?? 220;
  const top = options.title ? 34 : 12;
  const legendW =
    series.length === 0 ? 0 : 34 + Math.max(...series.map((s) => textWidth(s.name, LEGEND_FONT)));
  const width = LEFT + plotW + 16 + legendW;
  const height = top + plotH + BOTTOM;
  const colour = (i: number) => options.colours?.[i] ?? armColour(i);
  const out: string[] = [];
  if (options.title) {
    out.push(
      `<text x="${px(LEFT + plotW / 2)}" y="20" text-anchor="middle" font-weight="600">${escapeMarkup(options.title)}</text>`,
    );
  }

  const points = series
    .flatMap((s) => s.points)
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.loss));
  if (points.length === 0) {
    out.push(
      `<rect x="${LEFT}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
      `<text x="${px(LEFT + plotW / 2)}" y="${px(top + plotH / 2)}" text-anchor="middle" fill="#888">no data</text>`,
    );
    return svgRoot(width, height, out, options);
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.loss);
  const integerX = xs.every((x) => Number.isInteger(x));
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 6, integerX);
  const yt = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const sx = (x: number) => LEFT + ((x - xt.min) / (xt.max - xt.min)) * plotW;
  const sy = (y: number) => top + plotH * (1 - (y - yt.min) / (yt.max - yt.min));

  for (const t of yt.values) {
    out.push(
      `<line x1="${LEFT}" y1="${px(sy(t))}" x2="${px(LEFT + plotW)}" y2="${px(sy(t))}" stroke="#e4e4e4"/>`,
      `<text x="${LEFT - 6}" y="${px(sy(t) + 4)}" text-anchor="end" font-size="10" fill="#333">${formatTick(t, yt)}</text>`,
    );
  }
  for (const t of xt.values) {
    out.push(
      `<line x1="${px(sx(t))}" y1="${px(top + plotH)}" x2="${px(sx(t))}" y2="${px(top + plotH + 4)}" stroke="#555"/>`,
      `<text x="${px(sx(t))}" y="${px(top + plotH + 16)}" text-anchor="middle" font-size="10" fill="#333">` +
        `${formatTick(t, xt)}</text>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${px(top + plotH)}" stroke="#555"/>`,
    `<line x1="${LEFT}" y1="${px(top + plotH)}" x2="${px(LEFT + plotW)}" y2="${px(top + plotH)}" stroke="#555"/>`,
    `<text x="${px(LEFT + plotW / 2)}" y="${px(top + plotH + 36)}" text-anchor="middle">${escapeMarkup(xLabel(series))}</text>`,
    `<text x="16" y="${px(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px(top + plotH / 2)})">` +
      `${escapeMarkup(options.yLabel ?? "Loss")}</text>`,
  );

  for (const [i, s] of series.entries()) {
    const c = colour(i);
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    // A non-finite loss (a diverged or skipped epoch) breaks the line rather than bridging the gap.
    for (const run of finiteRuns(sorted)) {
      const d = run.map((p) => `${px(sx(p.x))},${px(sy(p.loss))}`).join(" ");
      if (run.length > 1) out.push(`<polyline points="${d}" fill="none" stroke="${c}" stroke-width="1.8"/>`);
    }
    const finite = sorted.filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.x));
    if (finite.length <= MAX_MARKED_POINTS) {
      for (const p of finite) {
        out.push(
          `<circle cx="${px(sx(p.x))}" cy="${px(sy(p.loss))}" r="2.5" fill="${c}">` +
            `<title>${escapeMarkup(`${s.name}, ${s.x} ${p.x}: loss ${p.loss.toPrecision(4)}`)}</title></circle>`,
        );
      }
    }
    const ly = top + 8 + i * 18;
    const lx = LEFT + plotW + 16;
    out.push(
      `<line x1="${px(lx)}" y1="${px(ly)}" x2="${px(lx + 22)}" y2="${px(ly)}" stroke="${c}" stroke-width="2.5"/>`,
      `<text x="${px(lx + 28)}" y="${px(ly + 4)}" font-size="${LEGEND_FONT}">${escapeMarkup(s.name)}</text>`,
    );
  }
  return svgRoot(width, height, out, options);
}

function xLabel(series: CurveSeries[]): string {
  const kinds = new Set(series.map((s) => s.x));
  if (kinds.size === 1) return kinds.has("round") ? "Federation round" : "Epoch";
  return "Epoch / round";
}

function finiteRuns(points: CurveSeries["points"]): CurveSeries["points"][] {
  const runs: CurveSeries["points"][] = [[]];
  for (const p of points) {
    if (Number.isFinite(p.x) && Number.isFinite(p.loss)) runs[runs.length - 1].push(p);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((r) => r.length > 0);
}
