// `segviz evaluate`: predictions and ground truth in, per-case and per-organ Dice / HD95 out.
import { loadLabelMapOption } from "../../training/config/label-map-presets.js";
import { evaluateFiles } from "../../training/evaluate/evaluate-files.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";
import type { Command } from "../command-spec.js";

export const evaluateCommand: Command = {
  spec: {
    name: "evaluate",
    summary: "Dice and HD95 of predictions against ground truth",
    description: `Predictions hold organ indices (as segviz predict writes them); ground truth is mapped through
its data set's label map: a preset (BTCV, KITS19, MSD_TASK03_LIVER, MSD_TASK07_PANCREAS,
MSD_TASK09_SPLEEN, TOTALSEGMENTATOR) or a JSON file with one label map ({ "name", "labels":
{ "1": "spleen", ... }, "background"? }; docs/data-formats.md). Files pair by name, else by their
last number (img0001 <-> label0001). Writes metrics.csv and metrics.json to --out.`,
    options: {
      pred: { type: "string", value: "DIR", required: true, help: "folder of predicted label maps" },
      truth: { type: "string", value: "DIR", required: true, help: "folder of ground-truth label files" },
      "truth-label-map": {
        type: "string",
        value: "NAME|FILE.json",
        required: true,
        help: "the ground truth's label map: a preset or a JSON file",
      },
      out: { type: "string", value: "DIR", required: true, help: "where metrics.csv and metrics.json go" },
      organs: {
        type: "string",
        value: "LIST",
        defaultText: "every organ",
        help: "organs to score, e.g. liver,spleen",
      },
      "no-hd95": { type: "boolean", help: "skip the 95th-percentile Hausdorff distance (faster)" },
    },
    examples: [
      "segviz evaluate --pred predictions --truth btcv/label --truth-label-map BTCV --out metrics",
      "segviz evaluate --pred pred --truth labels --truth-label-map my-labels.json --out metrics --organs liver",
    ],
  },
  async run(values) {
    const r = await evaluateFiles(
      await niftiFiles(values.pred as string),
      await niftiFiles(values.truth as string),
      {
        truthLabelMap: await loadLabelMapOption(values["truth-label-map"] as string, "--truth-label-map"),
        organs: (values.organs as string | undefined)?.split(",").map((s) => s.trim()),
        outDir: values.out as string,
        surfaceDistances: !values["no-hd95"],
      },
    );
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
  },
};
