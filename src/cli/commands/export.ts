// `segviz export --model DIR --out DIR`: trained models as MONAI Bundles.
import { exportBundles } from "../../experiments/export/export-bundles.js";
import type { Command } from "../command-spec.js";

export const exportCommand: Command = {
  spec: {
    name: "export",
    summary: "trained models as MONAI Bundles (the Model Zoo's format), with a model card",
    description: `--model is a checkpoint folder (segviz train's best/ or last/) or a finished study arm
(STUDY/arms/<arm>). Every head of every model becomes one bundle in --out: configs/metadata.json,
configs/inference.json (monai.networks.nets.UNet with the model's arguments, the preprocessing as
MONAI transforms, MONAI's sliding-window inferer), models/model.pt (torch.load reads it; weights in
MONAI's (i, j, k) axis order), models/model.safetensors, and README.md, the model card (organs,
arm and strategy, sites and case counts, the arm's external-test Dice, intended use).`,
    options: {
      model: { type: "string", value: "DIR", required: true, help: "a checkpoint folder or a study arm" },
      out: { type: "string", value: "DIR", required: true, help: "where the bundles go" },
      format: {
        type: "string",
        value: "monai-bundle",
        defaultText: "monai-bundle",
        help: "the export format",
      },
    },
    examples: [
      "segviz export --model segviz-demo/arms/segviz-fedbn --out bundles",
      "segviz export --model runs/liver/best --out bundles --format monai-bundle",
    ],
  },
  async run(values) {
    const format = (values.format as string | undefined) ?? "monai-bundle";
    if (format !== "monai-bundle")
      throw new Error(`--format: only monai-bundle is supported, got '${format}'`);
    for (const dir of await exportBundles(values.model as string, values.out as string)) console.log(dir);
    return 0;
  },
};
