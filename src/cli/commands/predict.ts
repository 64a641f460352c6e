// `segviz predict`: a trained checkpoint and NIfTI images in, organ label maps out (same grid).
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { setNumThreads } from "../../engine/index.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";
import { loadPredictor } from "../../training/predict/load-predictor.js";
import { predictFile, writePrediction } from "../../training/predict/predict-file.js";
import { progress } from "../../util/progress.js";
import { intOption } from "../options.js";

const USAGE = `usage: segviz predict --checkpoint DIR --input FILE|DIR [--input ...] --out DIR [--threads N] [--roi I,J,K] [--sw-batch N]

DIR is a checkpoint folder written by segviz train (best/ or last/). Each input image gets a label
map of the same name in --out, on the image's own grid (shape and affine), with organ indices
(0 background, i for the i-th organ; labels.json in --out lists them).`;

function parseRoi(v: string | undefined): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(",").map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--roi: expected three positive integers like 96,96,32, got '${v}'`);
  }
  return parts as [number, number, number];
}

export async function predictCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      checkpoint: { type: "string" },
      input: { type: "string", multiple: true },
      out: { type: "string" },
      threads: { type: "string" },
      roi: { type: "string" },
      "sw-batch": { type: "string" },
    },
  });
  if (!values.checkpoint || !values.input?.length || !values.out) {
    console.error(USAGE);
    return 2;
  }
  setNumThreads(intOption(values.threads, "threads", 2, 1));
  const predictor = await loadPredictor(values.checkpoint);
  const files = (await Promise.all(values.input.map(niftiFiles))).flat();
  await mkdir(values.out, { recursive: true });
  const legend = Object.fromEntries([
    ["0", "background"],
    ...predictor.organs.map((o, i) => [String(i + 1), o]),
  ]);
  await writeFile(join(values.out, "labels.json"), `${JSON.stringify(legend, null, 2)}\n`);
  for (const f of files) {
    const bar = progress(`predict ${basename(f)}`, 0);
    const labels = await predictFile(predictor, f, {
      roi: parseRoi(values.roi),
      swBatchSize: intOption(values["sw-batch"], "sw-batch", 4, 1),
      onProgress: (done, total) => bar.update(done, { windows: total }),
    });
    bar.finish();
    const out = join(values.out, basename(f));
    await writePrediction(out, labels);
    console.log(`${f} -> ${out}`);
  }
  predictor.model.dispose();
  return 0;
}
