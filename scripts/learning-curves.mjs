// Learning curves from seed sweeps run at several budgets: per arm and organ, the external-test
// Dice (mean over seeds of each seed's mean over cases, ± the std across seeds) against the local
// epochs, as a Markdown table (+ / − : significantly above / below the sweep's baseline arm by its
// seed-aware paired test) and one SVG figure per metric.
//   node scripts/learning-curves.mjs OUT_PREFIX EPOCHS:DIR [EPOCHS:DIR ...]
// Each DIR holds seeds.json (segviz experiment --seeds); the sweeps must share arms and seeds.
// Writes OUT_PREFIX-dice.svg and OUT_PREFIX-diceHead.svg and prints the tables.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lineChartSvg } from "../dist/src/experiments/report/svg-line-chart.js";

const [prefix, ...specs] = process.argv.slice(2);
if (!prefix || specs.length < 2) {
  console.error("usage: node scripts/learning-curves.mjs OUT_PREFIX EPOCHS:DIR EPOCHS:DIR ...");
  process.exit(2);
}
const sweeps = specs
  .map((spec) => {
    const at = spec.indexOf(":");
    const epochs = Number(spec.slice(0, at));
    const dir = spec.slice(at + 1);
    if (!Number.isFinite(epochs) || at < 0) throw new Error(`'${spec}': expected EPOCHS:DIR`);
    return { epochs, dir, summary: JSON.parse(readFileSync(join(dir, "seeds.json"), "utf8")) };
  })
  .sort((a, b) => a.epochs - b.epochs);
const first = sweeps[0].summary;
const arms = first.arms;
const organs = first.organs;
const cell = (s) => {
  if (s === undefined) return "—";
  const mark = s.comparison?.significant ? (s.comparison.meanDifference > 0 ? " **+**" : " **−**") : "";
  return `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}${mark}`;
};
for (const metric of ["dice", "diceHead"]) {
  const title = metric === "dice" ? "fused label map" : "each organ's own head";
  console.log(`\n${title} (seeds ${first.seeds.join(", ")}; reference: ${first.baseline})\n`);
  console.log(`| arm | epochs | ${organs.join(" | ")} |`);
  console.log(`|---|---|${organs.map(() => "---").join("|")}|`);
  for (const arm of arms)
    for (const sw of sweeps) {
      const m = sw.summary.metrics[metric][arm.name];
      if (m === undefined) continue;
      console.log(`| ${arm.label} | ${sw.epochs} | ${organs.map((o) => cell(m[o])).join(" | ")} |`);
    }
  const panels = organs.map((organ) =>
    lineChartSvg(
      arms.map((arm) => ({
        name: arm.label,
        x: "epoch",
        points: sweeps
          .filter((sw) => sw.summary.metrics[metric][arm.name]?.[organ] !== undefined)
          .map((sw) => ({ x: sw.epochs, loss: sw.summary.metrics[metric][arm.name][organ].mean })),
      })),
      { title: `${organ} (${title})`, yLabel: "Dice", plotWidth: 300, plotHeight: 160 },
    ),
  );
  // Stack the panels: each is a complete SVG, nested at its offset.
  const size = (svg) =>
    svg
      .match(/width="(\d+(?:\.\d+)?)"[^>]*height="(\d+(?:\.\d+)?)"/)
      .slice(1)
      .map(Number);
  let y = 0;
  let width = 0;
  const placed = panels.map((svg) => {
    const [w, h] = size(svg);
    const g = svg.replace("<svg", `<svg x="0" y="${y}"`);
    y += h;
    width = Math.max(width, w);
    return g;
  });
  writeFileSync(
    `${prefix}-${metric}.svg`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">\n${placed.join("\n")}\n</svg>\n`,
  );
}
console.log(`\nfigures: ${prefix}-dice.svg, ${prefix}-diceHead.svg`);
