// `segviz demo`: the study on the built-in phantom federation (four sites, each labelling one
// organ in its own scanner style, and a BTCV-layout external test set), sized for a 2-core CPU.
// The study's settings are kept where a CPU allows (the UNet, Dice loss, Adam, the per-site HU
// windows, pos:neg 1:1 crops, intensity and affine augmentation, head-local sharing, unweighted
// FedAvg); the budget, the patch and window sizes and the voxel spacing are scaled down, and
// each choice is recorded in the report's settings.
import { join } from "node:path";
import type { PhantomSize } from "../../data/phantom/index.js";
import { type ExperimentConfig, parseExperimentConfig } from "../config/experiment-config.js";

export type DemoScale = "full" | "quick" | "tiny" | "gpu";

export interface DemoPlan {
  phantom: { seed: number; casesPerSite: number; testCases: number; size: PhantomSize };
  experiment: ExperimentConfig;
}

/** The study's per-site HU windows (docs/study.md). */
const STUDY_WINDOWS = {
  liver: [-200, 200],
  spleen: [-57, 164],
  pancreas: [-87, 199],
  kidney: [-79, 304],
} as const;

const SITES = [
  { name: "site-liver", organ: "liver", labelMap: "MSD_TASK03_LIVER" },
  { name: "site-spleen", organ: "spleen", labelMap: "MSD_TASK09_SPLEEN" },
  { name: "site-pancreas", organ: "pancreas", labelMap: "MSD_TASK07_PANCREAS" },
  { name: "site-kidney", organ: "kidney", labelMap: "KITS19" },
] as const;

interface Scale {
  casesPerSite: number;
  testCases: number;
  size: PhantomSize;
  pixdim: [number, number, number];
  patch: [number, number, number];
  roi: [number, number, number];
  channels: number[];
  epochs: number;
  roundEpochs: number;
  /** Head-only epochs after the federation (the study: 150 after 500). */
  headFineTuneEpochs: number;
  batchSize: number;
  numSamples: number;
  lr: number;
  arms: (string | Record<string, unknown>)[];
  /** Where models train ("cpu" unless the profile is for a GPU) and how many patch workers feed them. */
  device?: string;
  workers?: number;
  swBatchSize?: number;
}

const STUDY_ARMS: (string | Record<string, unknown>)[] = [
  "individual",
  "central",
  "central-marginal",
  "segviz-fedavg",
  "segviz-fedbn",
];
// FedAdam's server step moves every shared value by up to its learning rate each round, whatever
// the clients did; here a client moves a value by at most 3 Adam steps x 3e-3 per round, so the
// default 1e-2 would mostly add noise. 1e-3 keeps the server step below the clients' own.
const ALL_ARMS = [
  ...STUDY_ARMS,
  "segviz-fedprox",
  { kind: "segviz-fedadam", serverLearningRate: 1e-3 },
  "condistfl",
  // The cost of privacy: SegViz FedAvg under secure aggregation with site-level DP at the default
  // noise multiplier z = 1 (adaptive clipping), reported beside its epsilon.
  "segviz-fedavg-dp",
];

const SCALES: Record<DemoScale, Scale> = {
  full: {
    casesPerSite: 6,
    testCases: 8,
    size: "demo",
    pixdim: [4, 4, 5],
    patch: [48, 48, 32],
    roi: [112, 112, 48],
    channels: [16, 32, 64, 128, 256],
    epochs: 24,
    roundEpochs: 1,
    headFineTuneEpochs: 6,
    batchSize: 2,
    numSamples: 2,
    lr: 3e-3,
    arms: ALL_ARMS,
  },
  // A first look in under four minutes: the individual models, SegViz (FedAvg) and ConDistFL on
  // coarser volumes (6 mm) with a UNet of half the channels, long enough for the models to learn
  // (the old quick demo's 4 epochs trained nothing visible).
  quick: {
    casesPerSite: 4,
    testCases: 4,
    size: "demo",
    pixdim: [6, 6, 6],
    patch: [32, 32, 32],
    roi: [64, 64, 64],
    channels: [8, 16, 32, 64, 128],
    epochs: 40,
    roundEpochs: 2,
    headFineTuneEpochs: 10,
    batchSize: 2,
    numSamples: 2,
    lr: 3e-3,
    arms: ["individual", "segviz-fedavg", "condistfl"],
  },
  // One GPU, about ten minutes (sized from the measured 27.6 ms per step at batch 8 of 128x128x32
  // on an H100 and ~25 patches/s per CPU worker; not yet run): the study's crops, spacing and
  // sliding window on the full-resolution phantom, with a budget long enough to converge.
  gpu: {
    casesPerSite: 12,
    testCases: 10,
    size: "large",
    pixdim: [1.5, 1.5, 2],
    patch: [128, 128, 32],
    roi: [160, 160, 160],
    channels: [16, 32, 64, 128, 256],
    epochs: 60,
    roundEpochs: 5,
    headFineTuneEpochs: 10,
    batchSize: 2,
    numSamples: 4,
    lr: 1e-3,
    arms: ALL_ARMS,
    device: "cuda",
    workers: 3,
    swBatchSize: 4,
  },
  // For the test suite: everything runs, nothing is meant to learn much.
  tiny: {
    casesPerSite: 2,
    testCases: 3,
    size: "tiny",
    pixdim: [8, 8, 8],
    patch: [16, 16, 16],
    roi: [32, 32, 32],
    channels: [4, 8, 16],
    epochs: 2,
    roundEpochs: 1,
    headFineTuneEpochs: 1,
    batchSize: 1,
    numSamples: 1,
    lr: 1e-3,
    arms: ALL_ARMS,
  },
};

/** The phantom federation every demo run trains on, whatever its training seeds. */
const DEMO_PHANTOM_SEED = 1;

export function demoPlan(
  scale: DemoScale,
  outDir: string,
  opts: { threads?: number; seed?: number; phantomSeed?: number } = {},
): DemoPlan {
  const s = SCALES[scale];
  const data = join(outDir, "data");
  // The training seed (initial weights, patch sampling) and the data's seed are separate: a seed
  // sweep changes how the models are trained, never what they are trained and tested on.
  const seed = opts.seed ?? 1;
  const phantomSeed = opts.phantomSeed ?? DEMO_PHANTOM_SEED;
  const experiment = parseExperimentConfig(
    {
      name: `phantom-demo-${scale}`,
      outDir,
      seed,
      threads: opts.threads ?? 2,
      device: s.device ?? "cpu",
      sites: SITES.map((site) => ({
        name: site.name,
        data: { layout: "msd", root: join(data, site.name) },
        labelMap: site.labelMap,
        window: STUDY_WINDOWS[site.organ],
      })),
      test: {
        name: "phantom-btcv",
        data: { layout: "btcv", root: join(data, "test-btcv") },
        labelMap: "BTCV",
      },
      centralWindow: [-200, 304],
      model: { channels: s.channels, strides: s.channels.slice(1).map(() => 2) },
      preprocess: { pixdim: s.pixdim, cropForeground: { threshold: 0, margin: 0 }, minSize: s.patch },
      augment: { patchSize: s.patch, numSamples: s.numSamples },
      training: {
        epochs: s.epochs,
        roundEpochs: s.roundEpochs,
        headFineTuneEpochs: s.headFineTuneEpochs,
        batchSize: s.batchSize,
        lr: s.lr,
        loss: "dice",
        workers: s.workers ?? 1,
        // Both from the diagnosis (docs/federated-arms.md): BatchNorm statistics measured for the
        // final weights, and short rounds (less drift of the shared body between aggregations).
        recalibrateBatchNorm: true,
      },
      inference: { roi: s.roi, overlap: 0.25, swBatchSize: s.swBatchSize ?? 1, threshold: 0.5 },
      arms: s.arms,
      baseline: "individual",
      evaluation: { hd95: true, overlayCases: 2, alpha: 0.05 },
    },
    `demo (${scale})`,
  );
  return {
    phantom: { seed: phantomSeed, casesPerSite: s.casesPerSite, testCases: s.testCases, size: s.size },
    experiment,
  };
}
