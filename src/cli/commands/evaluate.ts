// `segviz evaluate`: predictions and ground truth in, per-case and per-organ Dice / HD95 out.
import { loadLabelMapOption } from "../../training/config/label-map-presets.js";
import { evaluateFiles } from "../../training/evaluate/evaluate-files.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";
import { DICE_EMPTY_RULE_NAMES, SURFACE_EMPTY_RULE_NAMES } from "../../training/metrics/index.js";
import type { Command } from "../command-spec.js";
import { choiceOption } from "../options.js";

export const evaluateCommand: Command = {
  spec: {
    name: "evaluate",
    summary: "Dice and HD95 of predictions against ground truth",
    description: `Predictions hold organ indices (as segviz predict writes them); ground truth is mapped through
its data set's label map: a preset (BTCV, KITS19, MSD_TASK03_LIVER, MSD_TASK07_PANCREAS,
MSD_TASK09_SPLEEN, TOTALSEGMENTATOR) or a JSON file with one label map ({ "name", "labels":
{ "1": "spleen", ... }, "background"? }; docs/data-formats.md). Files pair by name, else by their
last number (img0001 <-> label0001). Writes metrics.csv and metrics.json to --out.

Empty masks: by default a case where neither prediction nor truth has the organ is not
applicable (Dice NaN, left out of means), a false positive on a case without the organ scores
Dice 0, and HD95 is NaN when either mask is empty. --dice-empty ignore-empty / include-empty and
--distance-empty monai select MONAI's conventions (ignore_empty=True / False; distances Infinity
when exactly one mask is empty). The rules used are written into metrics.json.`,
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
      "dice-empty": {
        type: "string",
        value: DICE_EMPTY_RULE_NAMES.join("|"),
        default: "segviz",
        help: "how an empty mask scores in Dice",
      },
      "distance-empty": {
        type: "string",
        value: SURFACE_EMPTY_RULE_NAMES.join("|"),
        default: "segviz",
        help: "how an empty mask scores in HD95 and ASSD",
      },
    },
    examples: [
      "segviz evaluate --pred predictions --truth btcv/label --truth-label-map BTCV --out metrics",
      "segviz evaluate --pred pred --truth labels --truth-label-map my-labels.json --out metrics --organs liver",
      "segviz evaluate --pred pred --truth labels --truth-label-map BTCV --out metrics --dice-empty ignore-empty --distance-empty monai",
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
        diceEmpty: choiceOption(
          values["dice-empty"] as string,
          "dice-empty",
          DICE_EMPTY_RULE_NAMES,
          "segviz",
        ),
        surfaceEmpty: choiceOption(
          values["distance-empty"] as string,
          "distance-empty",
          SURFACE_EMPTY_RULE_NAMES,
          "segviz",
        ),
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
