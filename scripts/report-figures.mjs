// Copies the figures of a study report (report.html) into a folder, for documents that cite them:
// every axial overlay as a PNG named after its alt text, and every SVG chart (box plots, training
// curves) as an .svg file, numbered in page order.
//   node scripts/report-figures.mjs REPORT.html OUT_DIR [PREFIX]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [report, out, prefix = ""] = process.argv.slice(2);
if (!report || !out) {
  console.error("usage: node scripts/report-figures.mjs REPORT.html OUT_DIR [PREFIX]");
  process.exit(2);
}
const html = readFileSync(report, "utf8");
mkdirSync(out, { recursive: true });
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
let pngs = 0;
for (const m of html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"[^>]*alt="([^"]*)"/g)) {
  writeFileSync(join(out, `${prefix}${slug(m[2])}.png`), Buffer.from(m[1], "base64"));
  pngs++;
}
let svgs = 0;
for (const m of html.matchAll(/<svg[\s\S]*?<\/svg>/g)) {
  writeFileSync(
    join(out, `${prefix}chart-${++svgs}.svg`),
    `<?xml version="1.0" encoding="UTF-8"?>\n${m[0].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ')}`,
  );
}
console.log(`${pngs} slices and ${svgs} charts written to ${out}`);
