// `segviz evaluate`: predictions and ground truth in, per-case and per-organ Dice / HD95 out.
import { parseArgs } from "node:util";
import { resolveLabelMap } from "../../training/config/label-map-presets.js";
import { evaluateFiles } from "../../training/evaluate/evaluate-files.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";

const USAGE = `usage: segviz evaluate --pred DIR --truth DIR --truth-label-map NAME --out DIR [--organs liver,spleen,...] [--no-hd95]

Predictions hold organ indices (as segviz predict writes them); ground truth is mapped through its
data set's label map (a preset such as BTCV). Files pair by name, else by their last number
(img0001 <-> label0001). Writes metrics.csv and metrics.json to --out.`;

export async function evaluateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pred: { type: "string" },
      truth: { type: "string" },
      "truth-label-map": { type: "string" },
      out: { type: "string" },
      organs: { type: "string" },
      "no-hd95": { type: "boolean" },
    },
  });
  if (!values.pred || !values.truth || !values["truth-label-map"] || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const r = await evaluateFiles(await niftiFiles(values.pred), await niftiFiles(values.truth), {
    truthLabelMap: resolveLabelMap(values["truth-label-map"], "--truth-label-map"),
    organs: values.organs?.split(",").map((s) => s.trim()),
    outDir: values.out,
    surfaceDistances: !values["no-hd95"],
  });
  console.log("organ        n   Dice mean ± sd     HD95 mm mean ± sd");
  for (const s of r.evaluation.summary) {
    const d = s.dice;
    const h = s.hd95Mm;
    console.log(
      `${s.organ.padEnd(10)} ${String(d.n).padStart(3)}   ${d.mean.toFixed(3)} ± ${d.std.toFixed(3)}      ${h.mean.toFixed(1)} ± ${h.std.toFixed(1)}`,
    );
  }
  for (const p of r.unpairedPredictions) console.log(`no ground truth for ${p}`);
  for (const t of r.unpairedTruths) console.log(`no prediction for ${t}`);
  console.log(`tables: ${r.tables?.csv}, ${r.tables?.json}`);
  return 0;
}
