// `segviz predict`: trained models and NIfTI images in, organ label maps out (same grid). The
// models are one checkpoint (--checkpoint) or a whole study arm (--model): every organ, fused as
// the study fused them.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { writeNifti } from "../../data/nifti/index.js";
import { setNumThreads } from "../../engine/index.js";
import { openStudyArm } from "../../experiments/evaluation/study-arm.js";
import { niftiFiles } from "../../training/evaluate/pair-files.js";
import type { FusionRule } from "../../training/inference/fuse-heads.js";
import { loadBundlePredictor } from "../../training/predict/load-bundle-predictor.js";
import { loadPredictor, type Predictor } from "../../training/predict/load-predictor.js";
import type { EnsembleMember, EnsembleSettings } from "../../training/predict/predict-ensemble.js";
import { predictImage, singleModelSettings } from "../../training/predict/predict-file.js";
import { progress } from "../../util/progress.js";
import type { Command, OptionValues } from "../command-spec.js";
import { intOption } from "../options.js";

export const predictCommand: Command = {
  spec: {
    name: "predict",
    summary: "label maps for NIfTI images from a trained checkpoint or a whole study arm",
    description: `Give --checkpoint (a checkpoint folder written by segviz train, best/ or last/, or a study's
arms/<arm>/.../final/ folder) or --model (a finished study arm, STUDY/arms/<arm>: every member
model, fused by the study's own rule, threshold and sliding window from STUDY/experiment.json,
so the maps equal the study's predictions/<arm>/ files; or a MONAI Bundle folder, e.g. from segviz
export: its UNet, preprocessing, window and organs from its configs). Each input image gets a label map of the
same name in --out, on the image's own grid (shape and affine), with organ indices (0 background,
i for the i-th organ; labels.json in --out lists them). --probabilities also writes each organ's
probability (the highest any head gives it) as --out/probabilities/<image>/<organ>.nii.gz.`,
    options: {
      checkpoint: { type: "string", value: "DIR", help: "a trained checkpoint folder" },
      model: {
        type: "string",
        value: "DIR",
        help: "a finished study arm (STUDY/arms/<arm>) or a MONAI Bundle",
      },
      input: {
        type: "string",
        value: "FILE|DIR",
        required: true,
        multiple: true,
        help: "a NIfTI image, or a folder of them",
      },
      out: { type: "string", value: "DIR", required: true, help: "where the label maps go" },
      probabilities: { type: "boolean", help: "also write each organ's probability map" },
      threads: { type: "string", value: "N", defaultText: "2", help: "CPU threads" },
      roi: {
        type: "string",
        value: "I,J,K",
        defaultText: "the checkpoint's training patch, or the study's inference ROI",
        help: "sliding-window size",
      },
      "sw-batch": { type: "string", value: "N", defaultText: "4", help: "windows per forward pass" },
    },
    examples: [
      "segviz predict --checkpoint runs/liver/best --input ct.nii.gz --out predictions",
      "segviz predict --model segviz-demo/arms/segviz-fedbn --input images/ --out predictions --probabilities",
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

/** What predicts: the members, their organ vocabulary, the sliding window and the fusion. */
interface Models {
  organs: string[];
  members: EnsembleMember[];
  settings: EnsembleSettings;
  rule: FusionRule;
  dispose(): void;
}

async function openModels(values: OptionValues): Promise<Models> {
  const checkpoint = values.checkpoint as string | undefined;
  const model = values.model as string | undefined;
  if ((checkpoint === undefined) === (model === undefined))
    throw new Error("give --checkpoint DIR (one trained model) or --model DIR (a study arm), not both");
  const roi = parseRoi(values.roi as string | undefined);
  const swBatchSize = intOption(values["sw-batch"] as string | undefined, "sw-batch", 4, 1);
  if (model !== undefined && existsSync(join(model, "configs", "inference.json"))) {
    const predictor = await loadBundlePredictor(model);
    return singleModel(predictor, roi, swBatchSize);
  }
  if (model !== undefined) {
    const arm = await openStudyArm(model);
    const sw = arm.settings.slidingWindow;
    return {
      ...arm,
      settings: {
        ...arm.settings,
        slidingWindow: {
          ...sw,
          swBatchSize,
          roiSize: roi === undefined ? sw.roiSize : [roi[2], roi[1], roi[0]],
        },
      },
    };
  }
  return singleModel(await loadPredictor(checkpoint!), roi, swBatchSize);
}

/** One model (a checkpoint or a bundle): its own window, the "max" rule at 0.5. */
function singleModel(
  predictor: Predictor,
  roi: [number, number, number] | undefined,
  swBatchSize: number,
): Models {
  return {
    organs: predictor.organs,
    members: [{ predictor }],
    settings: singleModelSettings(predictor, { roi, swBatchSize }),
    rule: "max",
    dispose: () => predictor.model.dispose(),
  };
}

/** Input files whose label maps would overwrite each other (same file name) are refused. */
function checkNames(files: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(basename(f));
    if (other !== undefined)
      throw new Error(
        `--input: ${other} and ${f} have the same file name; their label maps would overwrite each other`,
      );
    seen.set(basename(f), f);
  }
}

const stem = (f: string) => basename(f).replace(/\.nii(\.gz)?$/i, "");

async function runPredict(values: OptionValues): Promise<number> {
  const inputs = values.input as string[];
  const outDir = values.out as string;
  setNumThreads(intOption(values.threads as string | undefined, "threads", 2, 1));
  const files = (await Promise.all(inputs.map(niftiFiles))).flat();
  checkNames(files);
  const models = await openModels(values);
  try {
    await mkdir(outDir, { recursive: true });
    const legend = Object.fromEntries([
      ["0", "background"],
      ...models.organs.map((o, i) => [String(i + 1), o]),
    ]);
    await writeFile(join(outDir, "labels.json"), `${JSON.stringify(legend, null, 2)}\n`);
    for (const f of files) {
      const bar = progress(`predict ${basename(f)}`, 0);
      const settings = {
        ...models.settings,
        slidingWindow: { ...models.settings.slidingWindow, onProgress: (done: number) => bar.update(done) },
      };
      const predicted = await predictImage(models.members, settings, models.rule, f, {
        probabilities: values.probabilities === true,
      });
      const out = join(outDir, basename(f));
      await writeNifti(out, predicted.labels);
      if (predicted.probabilities !== undefined) {
        const folder = join(outDir, "probabilities", stem(f));
        await mkdir(folder, { recursive: true });
        for (const [id, p] of predicted.probabilities)
          await writeNifti(join(folder, `${models.organs[id - 1]}.nii.gz`), p);
      }
      bar.finish();
      console.log(`${f} -> ${out}`);
    }
  } finally {
    models.dispose();
  }
  return 0;
}
