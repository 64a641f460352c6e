// Box plots as an SVG string: one panel per organ, one box per arm (quartiles, Tukey whiskers,
// outliers as open circles), the remaining individual cases as deterministically jittered dots.

import { boxStats } from "./box-stats.js";
import { escapeMarkup } from "./escape-markup.js";
import { fixed } from "./format-numbers.js";
import { formatTick, niceTicks } from "./nice-ticks.js";
import { armColour } from "./palette.js";
import type { StudyReport } from "./report-types.js";
import { px, type SvgRootOptions, svgRoot, textWidth } from "./svg-document.js";

export interface BoxGroup {
  label: string;
  /** Non-finite values (undefined scores) are left out. */
  values: number[];
  /** Default: the palette colour of the group's index. */
  colour?: string;
}

export interface BoxPanel {
  title: string;
  groups: BoxGroup[];
}

export interface BoxPlotOptions extends SvgRootOptions {
  yLabel?: string;
  /** Value range of the y axis; values outside it are drawn at its edge. Default [0, 1]. */
  yDomain?: [number, number];
  /** Height of the plotting area in px. */
  plotHeight?: number;
}

const SLOT = 46;
const BOX = 24;
const AXIS = 42;
const TITLE = 26;
const LABEL_FONT = 11;
const LABEL_ANGLE = 40;
const PANEL_GAP = 18;
const Y_LABEL = 18;

export function boxPlotSvg(panels: BoxPanel[], options: BoxPlotOptions = {}): string {
  const [yMin, yMax] = options.yDomain ?? [0, 1];
  if (!(yMax > yMin)) throw new Error(`boxPlotSvg: empty y domain [${yMin}, ${yMax}]`);
  const plotH = options.plotHeight ?? 220;
  const ticks = niceTicks(yMin, yMax, 6);
  const tickValues = ticks.values.filter((t) => t >= yMin - 1e-12 && t <= yMax + 1e-12);

  // Long arm labels are rotated; the space under the plots grows to fit the longest one.
  const longest = Math.max(0, ...panels.flatMap((p) => p.groups.map((g) => textWidth(g.label, LABEL_FONT))));
  const rotate = longest > SLOT - 6;
  const angle = (LABEL_ANGLE * Math.PI) / 180;
  const bottom = rotate ? 14 + longest * Math.sin(angle) + LABEL_FONT : 26;
  const top = 8;
  const left = options.yLabel ? Y_LABEL : 0;
  const plotTop = top + TITLE;
  const height = plotTop + plotH + bottom;
  const y = (v: number) => plotTop + plotH * (1 - (Math.min(yMax, Math.max(yMin, v)) - yMin) / (yMax - yMin));

  const out: string[] = [];
  if (options.yLabel) {
    const cy = plotTop + plotH / 2;
    out.push(
      `<text x="${px(12)}" y="${px(cy)}" text-anchor="middle" transform="rotate(-90 12 ${px(cy)})">` +
        `${escapeMarkup(options.yLabel)}</text>`,
    );
  }
  let x0 = left;
  for (const panel of panels) {
    const plotW = Math.max(SLOT, panel.groups.length * SLOT);
    const plotLeft = x0 + AXIS;
    const plotRight = plotLeft + plotW;
    out.push(`<g>`);
    out.push(
      `<text x="${px(plotLeft + plotW / 2)}" y="${px(top + 14)}" text-anchor="middle" font-weight="600">` +
        `${escapeMarkup(panel.title)}</text>`,
    );
    for (const t of tickValues) {
      const ty = y(t);
      out.push(
        `<line x1="${px(plotLeft)}" y1="${px(ty)}" x2="${px(plotRight)}" y2="${px(ty)}" stroke="#e4e4e4"/>`,
        `<line x1="${px(plotLeft - 4)}" y1="${px(ty)}" x2="${px(plotLeft)}" y2="${px(ty)}" stroke="#555"/>`,
        `<text x="${px(plotLeft - 6)}" y="${px(ty + 4)}" text-anchor="end" font-size="10" fill="#333">` +
          `${formatTick(t, ticks)}</text>`,
      );
    }
    out.push(
      `<line x1="${px(plotLeft)}" y1="${px(plotTop)}" x2="${px(plotLeft)}" y2="${px(plotTop + plotH)}" stroke="#555"/>`,
      `<line x1="${px(plotLeft)}" y1="${px(plotTop + plotH)}" x2="${px(plotRight)}" y2="${px(plotTop + plotH)}" stroke="#555"/>`,
    );
    for (const [i, group] of panel.groups.entries()) {
      const cx = plotLeft + SLOT * (i + 0.5);
      out.push(...drawBox(group, group.colour ?? armColour(i), cx, y, plotTop + plotH / 2));
      const ly = plotTop + plotH + 14;
      const label = escapeMarkup(group.label);
      out.push(
        rotate
          ? `<text x="${px(cx)}" y="${px(ly)}" text-anchor="end" font-size="${LABEL_FONT}" ` +
              `transform="rotate(-${LABEL_ANGLE} ${px(cx)} ${px(ly)})">${label}</text>`
          : `<text x="${px(cx)}" y="${px(ly)}" text-anchor="middle" font-size="${LABEL_FONT}">${label}</text>`,
      );
    }
    out.push(`</g>`);
    x0 = plotRight + PANEL_GAP;
  }
  const width = Math.max(x0 - PANEL_GAP + 8, left + AXIS + SLOT);
  return svgRoot(width, height, out, options);
}

function drawBox(
  group: BoxGroup,
  colour: string,
  cx: number,
  y: (v: number) => number,
  midY: number,
): string[] {
  const values = group.values.filter((v) => Number.isFinite(v));
  const stats = boxStats(values);
  if (stats === null) {
    return [
      `<text x="${px(cx)}" y="${px(midY)}" text-anchor="middle" font-size="10" fill="#888">no data</text>`,
    ];
  }
  const half = BOX / 2;
  const tip =
    `${group.label}: median ${fixed(stats.median, 3)}, quartiles ${fixed(stats.q1, 3)}–${fixed(stats.q3, 3)}, ` +
    `whiskers ${fixed(stats.whiskerLow, 3)}–${fixed(stats.whiskerHigh, 3)}, n = ${stats.n}`;
  const out = [
    `<g stroke="${colour}"><title>${escapeMarkup(tip)}</title>`,
    `<line x1="${px(cx)}" y1="${px(y(stats.whiskerLow))}" x2="${px(cx)}" y2="${px(y(stats.q1))}"/>`,
    `<line x1="${px(cx)}" y1="${px(y(stats.q3))}" x2="${px(cx)}" y2="${px(y(stats.whiskerHigh))}"/>`,
    `<line x1="${px(cx - half / 2)}" y1="${px(y(stats.whiskerLow))}" x2="${px(cx + half / 2)}" y2="${px(y(stats.whiskerLow))}"/>`,
    `<line x1="${px(cx - half / 2)}" y1="${px(y(stats.whiskerHigh))}" x2="${px(cx + half / 2)}" y2="${px(y(stats.whiskerHigh))}"/>`,
    `<rect x="${px(cx - half)}" y="${px(y(stats.q3))}" width="${px(BOX)}" ` +
      `height="${px(Math.max(0.5, y(stats.q1) - y(stats.q3)))}" fill="${colour}" fill-opacity="0.22"/>`,
    `<line x1="${px(cx - half)}" y1="${px(y(stats.median))}" x2="${px(cx + half)}" y2="${px(y(stats.median))}" stroke-width="2.5"/>`,
  ];
  // Outliers sit on the box's axis as open circles; every other case is a jittered dot, so each case
  // is drawn exactly once. Jitter from the golden-ratio sequence: deterministic and evenly spread.
  const outliers = new Set(stats.outliers);
  for (const v of stats.outliers) {
    out.push(`<circle cx="${px(cx)}" cy="${px(y(v))}" r="3.2" fill="none" stroke-width="1.3"/>`);
  }
  for (const [k, v] of values.entries()) {
    if (outliers.has(v)) continue;
    const jitter = (((k * 0.6180339887498949 + 0.5) % 1) - 0.5) * BOX * 0.7;
    out.push(
      `<circle cx="${px(cx + jitter)}" cy="${px(y(v))}" r="2.2" fill="${colour}" fill-opacity="0.6" stroke="none"/>`,
    );
  }
  out.push(`</g>`);
  return out;
}

/** The study's Dice box plot: a panel per organ (report.organs), a box per arm (report.arms). */
export function diceBoxPlotSvg(report: StudyReport, options: SvgRootOptions = {}): string {
  const panels: BoxPanel[] = report.organs.map((organ) => ({
    title: organ,
    groups: report.arms.map((arm, i) => ({
      label: arm.label,
      colour: armColour(i),
      values: arm.perCase.map((c) => c.dice[organ]).filter((v): v is number => typeof v === "number"),
    })),
  }));
  return boxPlotSvg(panels, { ...options, yLabel: "Dice", yDomain: [0, 1] });
}
