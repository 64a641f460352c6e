// `segviz predict`: a trained checkpoint and NIfTI images in, organ label maps out (same grid).
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { setNumThreads } from "../../engine/index.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";
import { loadPredictor } from "../../training/predict/load-predictor.js";
import { predictFile, writePrediction } from "../../training/predict/predict-file.js";
import { progress } from "../../util/progress.js";
import type { Command, OptionValues } from "../command-spec.js";
import { intOption } from "../options.js";

export const predictCommand: Command = {
  spec: {
    name: "predict",
    summary: "label maps for NIfTI images from a trained checkpoint",
    description: `--checkpoint is a checkpoint folder written by segviz train (best/ or last/) or a study's
arms/<arm>/... final/ folder. Each input image gets a label map of the same name in --out, on the
image's own grid (shape and affine), with organ indices (0 background, i for the i-th organ;
labels.json in --out lists them).`,
    options: {
      checkpoint: { type: "string", value: "DIR", required: true, help: "the trained checkpoint folder" },
      input: {
        type: "string",
        value: "FILE|DIR",
        required: true,
        multiple: true,
        help: "a NIfTI image, or a folder of them",
      },
      out: { type: "string", value: "DIR", required: true, help: "where the label maps go" },
      threads: { type: "string", value: "N", defaultText: "2", help: "CPU threads" },
      roi: {
        type: "string",
        value: "I,J,K",
        defaultText: "the checkpoint's training patch",
        help: "sliding-window size",
      },
      "sw-batch": { type: "string", value: "N", defaultText: "4", help: "windows per forward pass" },
    },
    examples: [
      "segviz predict --checkpoint runs/liver/best --input ct.nii.gz --out predictions",
      "segviz predict --checkpoint runs/liver/best --input images/ --out predictions --roi 96,96,32",
    ],
  },
  run: runPredict,
};

function parseRoi(v: string | undefined): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(",").map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--roi: expected three positive integers like 96,96,32, got '${v}'`);
  }
  return parts as [number, number, number];
}

async function runPredict(values: OptionValues): Promise<number> {
  const inputs = values.input as string[];
  const outDir = values.out as string;
  setNumThreads(intOption(values.threads as string | undefined, "threads", 2, 1));
  const predictor = await loadPredictor(values.checkpoint as string);
  const files = (await Promise.all(inputs.map(niftiFiles))).flat();
  await mkdir(outDir, { recursive: true });
  const legend = Object.fromEntries([
    ["0", "background"],
    ...predictor.organs.map((o, i) => [String(i + 1), o]),
  ]);
  await writeFile(join(outDir, "labels.json"), `${JSON.stringify(legend, null, 2)}\n`);
  for (const f of files) {
    const bar = progress(`predict ${basename(f)}`, 0);
    const labels = await predictFile(predictor, f, {
      roi: parseRoi(values.roi as string | undefined),
      swBatchSize: intOption(values["sw-batch"] as string | undefined, "sw-batch", 4, 1),
      onProgress: (done, total) => bar.update(done, { windows: total }),
    });
    bar.finish();
    const out = join(outDir, basename(f));
    await writePrediction(out, labels);
    console.log(`${f} -> ${out}`);
  }
  predictor.model.dispose();
  return 0;
}
