// One small line chart per quantity: a line per site, rounds on x.

import { h, svgEl } from "../shared/dom.js";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f"];

export function curveChart(title: string, series: Record<string, { x: number; y: number }[]>): HTMLElement {
  const w = 360;
  const hgt = 180;
  const pad = 32;
  const all = Object.values(series).flat();
  const svg = svgEl("svg", { width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: "img" });
  if (all.length > 0) {
    const xMin = Math.min(...all.map((p) => p.x));
    const xMax = Math.max(...all.map((p) => p.x), xMin + 1);
    const yMin = Math.min(...all.map((p) => p.y));
    const yMax = Math.max(...all.map((p) => p.y), yMin + 1e-9);
    const sx = (x: number) => pad + ((x - xMin) / (xMax - xMin)) * (w - 2 * pad);
    const sy = (y: number) => hgt - pad + -((y - yMin) / (yMax - yMin)) * (hgt - 2 * pad);
    svg.append(svgEl("line", { x1: pad, y1: hgt - pad, x2: w - pad, y2: hgt - pad, stroke: "#9ca3af" }));
    svg.append(svgEl("line", { x1: pad, y1: pad, x2: pad, y2: hgt - pad, stroke: "#9ca3af" }));
    for (const [text, x, y] of [
      [yMax.toPrecision(3), 2, pad + 4],
      [yMin.toPrecision(3), 2, hgt - pad],
      [`round ${xMin}`, pad, hgt - 8],
      [`${xMax}`, w - pad - 10, hgt - 8],
    ] as const) {
      const t = svgEl("text", { x, y, "font-size": 10, fill: "#6b7280" });
      t.textContent = text;
      svg.append(t);
    }
    Object.entries(series).forEach(([site, points], k) => {
      const sorted = [...points].sort((a, b) => a.x - b.x);
      const colour = COLOURS[k % COLOURS.length];
      svg.append(
        svgEl("polyline", {
          points: sorted.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" "),
          fill: "none",
          stroke: colour,
          "stroke-width": 2,
          "data-site": site,
        }),
      );
    });
  }
  const legend = h(
    "div",
    { class: "muted" },
    ...Object.keys(series).map((site, k) => h("span", { style: `color:${COLOURS[k % COLOURS.length]}; margin-right: 10px` }, `■ ${site}`)),
  );
  return h("figure", { style: "margin:0" }, h("figcaption", {}, title), svg, legend);
}
