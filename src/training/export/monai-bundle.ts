// One head of a trained model as a MONAI Bundle, the Model Zoo's unit of exchange:
//   configs/metadata.json   what the model is (organs, input and output format, versions)
//   configs/inference.json  MONAI's UNet with our arguments, our preprocessing as MONAI transforms,
//                           MONAI's sliding-window inferer with our window, softmax and argmax
//   models/model.pt         the state dict as torch.save writes it (through libtorch's pickler)
//   models/model.safetensors the same tensors
//   README.md               the model card
// The weights are in MONAI's (i, j, k) layout (nn/monai/monai-layout.ts), so the bundle run by
// MONAI on its own arrays predicts what SegViz predicts.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildInfo, torchSaveStateDict } from "../../engine/index.js";
import { dataToTensor, stateToData } from "../../nn/checkpoint.js";
import { MONAI_LAYOUT, toMonaiLayout } from "../../nn/monai/monai-layout.js";
import { writeSafetensorsFile } from "../../nn/safetensors/index.js";
import { writeFileAtomic } from "../../util/file-writes.js";
import type { ProgramVersion } from "../../util/program-version.js";
import type { Predictor } from "../predict/load-predictor.js";

/** What a model card says beyond the model itself (a study arm knows it; a lone checkpoint less). */
export interface ModelCard {
  /** e.g. "SegViz (FedBN), study segviz-demo". */
  source: string;
  strategy?: string;
  /** Training sites: names and case counts (no patient data). */
  sites: { name: string; cases: number; organs: string[] }[];
  /** External-test Dice per organ of the model's arm (mean ± std over cases), if evaluated. */
  externalDice?: Record<string, { mean: number | null; std: number | null; n: number }>;
  testSet?: string;
}

/** The sliding window a bundle predicts with; a checkpoint's own training patch by default. */
export interface BundleInference {
  /** (i, j, k) */
  roi: [number, number, number];
  overlap: number;
  swBatchSize: number;
}

export interface BundleOptions {
  predictor: Predictor;
  /** A study's inference settings, so the bundle predicts as the study evaluated. */
  inference?: BundleInference;
  task: string;
  outDir: string;
  program: ProgramVersion;
  card: ModelCard;
}

/** MONAI's spelling of the UNet arguments SegViz's config holds. */
function networkDef(p: Predictor, outChannels: number) {
  const c = p.model.config;
  return {
    _target_: "monai.networks.nets.UNet",
    spatial_dims: 3,
    in_channels: c.inChannels,
    out_channels: outChannels,
    channels: c.channels,
    strides: c.strides,
    kernel_size: c.kernelSize ?? 3,
    up_kernel_size: c.upKernelSize ?? 3,
    num_res_units: c.numResUnits ?? 0,
    act: (c.act ?? "prelu").toUpperCase(),
    norm: (c.norm ?? "instance").toUpperCase(),
    dropout: c.dropout ?? 0,
  };
}

function windowOf(o: BundleOptions): BundleInference {
  return o.inference ?? { roi: o.predictor.roi, overlap: o.predictor.overlap, swBatchSize: 4 };
}

function inferenceConfig(p: Predictor, outChannels: number, sw: BundleInference) {
  const s = p.preprocess;
  return {
    imports: ["$import glob", "$import os"],
    bundle_root: ".",
    output_dir: "$@bundle_root + '/eval'",
    dataset_dir: "/workspace/data",
    datalist: "$list(sorted(glob.glob(@dataset_dir + '/*.nii*')))",
    device: "$torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')",
    network_def: networkDef(p, outChannels),
    network: "$@network_def.to(@device)",
    preprocessing: {
      _target_: "Compose",
      transforms: [
        { _target_: "LoadImaged", keys: "image" },
        { _target_: "EnsureChannelFirstd", keys: "image" },
        { _target_: "Orientationd", keys: "image", axcodes: s.axcodes },
        { _target_: "Spacingd", keys: "image", pixdim: s.pixdim, mode: "bilinear" },
        {
          _target_: "ScaleIntensityRanged",
          keys: "image",
          a_min: s.window.aMin,
          a_max: s.window.aMax,
          b_min: 0,
          b_max: 1,
          clip: true,
        },
        { _target_: "EnsureTyped", keys: "image" },
      ],
    },
    dataset: { _target_: "Dataset", data: "$[{'image': i} for i in @datalist]", transform: "@preprocessing" },
    dataloader: {
      _target_: "DataLoader",
      dataset: "@dataset",
      batch_size: 1,
      shuffle: false,
      num_workers: 0,
    },
    inferer: {
      _target_: "SlidingWindowInferer",
      roi_size: sw.roi,
      sw_batch_size: sw.swBatchSize,
      overlap: sw.overlap,
      mode: "gaussian",
    },
    postprocessing: {
      _target_: "Compose",
      transforms: [
        { _target_: "Activationsd", keys: "pred", softmax: true },
        {
          _target_: "Invertd",
          keys: "pred",
          transform: "@preprocessing",
          orig_keys: "image",
          nearest_interp: false,
          to_tensor: true,
        },
        { _target_: "AsDiscreted", keys: "pred", argmax: true },
        {
          _target_: "SaveImaged",
          keys: "pred",
          output_dir: "@output_dir",
          output_postfix: "seg",
          resample: false,
        },
      ],
    },
    handlers: [
      {
        _target_: "CheckpointLoader",
        load_path: "$@bundle_root + '/models/model.pt'",
        load_dict: { model: "@network" },
      },
      { _target_: "StatsHandler", iteration_log: false },
    ],
    evaluator: {
      _target_: "SupervisedEvaluator",
      device: "@device",
      val_data_loader: "@dataloader",
      network: "@network",
      inferer: "@inferer",
      postprocessing: "@postprocessing",
      val_handlers: "@handlers",
    },
    run: ["$@evaluator.run()"],
  };
}

function metadata(o: BundleOptions, organs: string[]) {
  const { predictor: p, program } = o;
  const channels = Object.fromEntries([
    ["0", "background"],
    ...organs.map((name, i) => [String(i + 1), name]),
  ]);
  return {
    version: program.version,
    changelog: { [program.version]: "exported by SegViz" },
    monai_version: "1.3.2",
    pytorch_version: buildInfo().torchVersion,
    required_packages_version: { nibabel: ">=3" },
    name: `SegViz UNet: ${organs.join(", ")}`,
    task: `CT segmentation of ${organs.join(", ")}`,
    description: `A 3D UNet (MONAI's UNet) trained with SegViz (${o.card.source}) on ${o.card.sites.map((x) => `${x.cases} CT cases of ${x.name}`).join(", ")}; the ${o.task} head.`,
    authors: "SegViz",
    copyright: "The consortium that trained it",
    intended_use: "Research only; not for clinical use.",
    data_type: "nibabel",
    network_data_format: {
      inputs: {
        image: {
          type: "image",
          format: "hounsfield",
          modality: "CT",
          num_channels: 1,
          spatial_shape: p.roi,
          dtype: "float32",
          value_range: [0, 1],
          is_patch_data: true,
          channel_def: { "0": "image" },
        },
      },
      outputs: {
        pred: {
          type: "image",
          format: "segmentation",
          num_channels: organs.length + 1,
          spatial_shape: p.roi,
          dtype: "float32",
          value_range: [0, 1],
          is_patch_data: true,
          channel_def: channels,
        },
      },
    },
    segviz: {
      version: program.version,
      commit: program.commit,
      modified: program.modified,
      task: o.task,
      organs,
      layout: MONAI_LAYOUT,
      source: o.card.source,
      ...(o.card.strategy !== undefined && { strategy: o.card.strategy }),
      /** Who trained it on what: site names, organs and case counts; no patient data. */
      trainingData: o.card.sites,
      ...(o.card.externalDice !== undefined && {
        externalTest: { set: o.card.testSet, dice: o.card.externalDice },
      }),
    },
  };
}

const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

function modelCard(o: BundleOptions, organs: string[]): string {
  const { card, predictor: p } = o;
  const lines = [
    `# SegViz UNet: ${organs.join(", ")}`,
    "",
    `MONAI's 3D UNet, the \`${o.task}\` head of ${card.source}${card.strategy ? ` (strategy ${card.strategy})` : ""}, exported by SegViz ${o.program.version}${o.program.commit ? ` (commit ${o.program.commit.slice(0, 12)})` : ""}.`,
    "",
    "## Organs",
    "",
    `Output channel 0 is background; ${organs.map((name, i) => `${i + 1} is ${name}`).join(", ")}. Softmax over channels, then argmax.`,
    "",
    "## Input",
    "",
    `CT in Hounsfield units, any orientation: reoriented to ${p.preprocess.axcodes}, resampled to ${p.preprocess.pixdim.join(" x ")} mm, HU ${p.preprocess.window.aMin}..${p.preprocess.window.aMax} mapped to 0..1 (clipped); sliding window ${windowOf(o).roi.join(" x ")} with overlap ${windowOf(o).overlap} (configs/inference.json). Weights in MONAI's (i, j, k) axis order: MONAI's own arrays, as nibabel reads them.`,
    "",
    "## Training data",
    "",
    "| site | organs | training cases |",
    "| --- | --- | --- |",
    ...card.sites.map((s) => `| ${s.name} | ${s.organs.join(", ")} | ${s.cases} |`),
    "",
  ];
  if (card.externalDice !== undefined) {
    lines.push(
      `## External test${card.testSet ? ` (${card.testSet})` : ""}`,
      "",
      "Dice of the whole arm (every site's head fused), mean ± std over cases:",
      "",
      `| ${Object.keys(card.externalDice).join(" | ")} |`,
      `| ${Object.keys(card.externalDice)
        .map(() => "---")
        .join(" | ")} |`,
      `| ${Object.values(card.externalDice)
        .map((d) => `${fmt(d.mean)} ± ${fmt(d.std)} (n=${d.n})`)
        .join(" | ")} |`,
      "",
    );
  }
  lines.push(
    "## Intended use",
    "",
    "Research on federated segmentation. Not a medical device; not for diagnosis or treatment.",
    "",
  );
  return lines.join("\n");
}

/** Writes the bundle for one head of the predictor's model; returns its folder. */
export async function writeMonaiBundle(o: BundleOptions): Promise<string> {
  const head = o.predictor.heads.find((h) => h.task === o.task);
  if (head === undefined)
    throw new Error(`writeMonaiBundle: the model has no head ${JSON.stringify(o.task)}`);
  const organs = head.organIndices.map((id) => o.predictor.organs[id - 1]!);
  await mkdir(join(o.outDir, "configs"), { recursive: true });
  await mkdir(join(o.outDir, "models"), { recursive: true });
  const weights = toMonaiLayout(stateToData(o.predictor.model.monaiStateDict(o.task)));
  await writeSafetensorsFile(join(o.outDir, "models", "model.safetensors"), weights, {
    format: "pt",
    layout: MONAI_LAYOUT,
  });
  const tensors = new Map(Object.entries(weights).map(([k, d]) => [k, dataToTensor(d)]));
  try {
    await writeFileAtomic(join(o.outDir, "models", "model.pt"), torchSaveStateDict(tensors));
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFile(
    join(o.outDir, "configs", "inference.json"),
    json(inferenceConfig(o.predictor, organs.length + 1, windowOf(o))),
  );
  await writeFile(join(o.outDir, "configs", "metadata.json"), json(metadata(o, organs)));
  await writeFile(join(o.outDir, "README.md"), modelCard(o, organs));
  return o.outDir;
}
