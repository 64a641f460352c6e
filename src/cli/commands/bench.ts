// `segviz bench <name>`: benchmarks that compare us with the reference in the same run.
import {
  type BenchPrecision,
  benchOurs,
  benchPytorch,
  TRAIN_STEP_CASES,
  type TrainStepResult,
} from "../../../bench/train-step.js";
import { assertDevice } from "../../engine/index.js";
import { precisionsOn } from "../../training/trainer/types.js";
import { cpuDescription } from "../../util/cpu-description.js";
import { logEvent } from "../../util/progress.js";
import type { Command, CommandGroup, OptionValues } from "../command-spec.js";
import { choiceOption, intOption } from "../options.js";

const trainStep: Command = {
  spec: {
    name: "bench train-step",
    summary: "our training step vs PyTorch's, as a ratio",
    description: `One training step of the SegViz UNet (forward, Dice loss, backward, Adam) in our engine and in
PyTorch (Debian python3-torch, the same libtorch version), each in its own process, median of
--steps after --warmup; prints both times, the ratio and each process's peak memory. Needs the
dev set-up (bash scripts/setup.sh --dev).`,
    options: {
      case: { type: "string", value: "64cube|study|all", default: "all", help: "which input size" },
      threads: { type: "string", value: "N", default: "2", help: "threads for both" },
      steps: { type: "string", value: "N", default: "3", help: "timed steps" },
      warmup: { type: "string", value: "N", default: "1", help: "untimed steps first" },
      precision: {
        type: "string",
        value: "fp32|bf16|fp16|all",
        default: "fp32",
        help: "forward pass in float32 or under autocast (torch.autocast for the reference); fp16 (with loss scaling) needs cuda; all: each the device has",
      },
      device: { type: "string", value: "cpu|cuda", default: "cpu", help: "where both train" },
      json: { type: "boolean", help: "print one JSON line instead of the table" },
    },
    examples: [
      "segviz bench train-step",
      "segviz bench train-step --case 64cube --steps 5 --json",
      "segviz bench train-step --precision all",
      "segviz bench train-step --device cuda --precision all --steps 20 --warmup 3",
    ],
  },
  run: trainStepBench,
};

const slidingWindow: Command = {
  spec: {
    name: "bench sliding-window",
    summary: "sliding-window inference on the real CT vs PyTorch, as a ratio",
    description: `Sliding-window inference of the SegViz UNet over the real CT example (test/fixtures), in our
engine and in PyTorch with the same weights; prints both times, the ratio and the largest
difference between the two outputs. Needs the dev set-up (bash scripts/setup.sh --dev).`,
    options: {
      threads: { type: "string", value: "N", default: "2", help: "threads for both" },
      roi: { type: "string", value: "I,J,K", default: "96,96,96", help: "window size" },
      "sw-batch": { type: "string", value: "N", default: "4", help: "windows per forward pass" },
      repeats: { type: "string", value: "N", default: "1", help: "timed repeats" },
    },
    examples: ["segviz bench sliding-window", "segviz bench sliding-window --roi 64,64,64 --repeats 3"],
  },
  run: slidingWindowBench,
};

const train: Command = {
  spec: {
    name: "bench train",
    summary: "training throughput (patches/s) vs MONAI's own pipeline, as a ratio",
    description: `Whole training in patches per second over the same cached phantom volumes: ours (patch
loader workers with the study's crops, random affine and intensity jitter, then the SegViz UNet's
training step) and MONAI's (CacheDataset, RandCropByPosNegLabeld, RandAffined,
RandScaleIntensityd, RandShiftIntensityd, DataLoader, MONAI UNet, DiceLoss, Adam) in its own
process. --mode loader times the loaders alone (what a GPU would be fed). MONAI is found through
SEGVIZ_MONAI (a MONAI source folder such as an unpacked MONAI 1.3.2 release, put on PYTHONPATH) or an
installed one; without it only ours is printed, and the output says why. Needs the dev set-up (bash scripts/setup.sh --dev).`,
    options: {
      mode: { type: "string", value: "loader|train|both", default: "both", help: "what to time" },
      threads: { type: "string", value: "N", default: "2", help: "threads for the training step" },
      workers: { type: "string", value: "N", default: "2", help: "loader workers on both sides" },
      steps: { type: "string", value: "N", default: "6", help: "timed batches (8 patches each)" },
      warmup: { type: "string", value: "N", default: "1", help: "untimed batches first" },
      cases: { type: "string", value: "N", default: "4", help: "phantom cases to cache" },
      placement: {
        type: "string",
        value: "workers|device",
        default: "workers",
        help: "ours: cut patches in worker threads or on the training device (cases kept there)",
      },
      device: {
        type: "string",
        value: "cpu|cuda",
        default: "cpu",
        help: "where the training step runs (both)",
      },
      "skip-monai": { type: "boolean", help: "time ours alone (e.g. while sampling GPU utilisation)" },
      json: { type: "boolean", help: "print one JSON line instead of the table" },
    },
    examples: ["segviz bench train", "segviz bench train --mode loader --steps 10"],
  },
  run: trainBench,
};

export const benchCommand: CommandGroup = {
  name: "bench",
  summary: "benchmarks against PyTorch in the same run",
  subcommands: { "train-step": trainStep, train, "sliding-window": slidingWindow },
};

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
}

async function trainStepBench(values: OptionValues): Promise<number> {
  const caseName = choiceOption(
    values.case as string,
    "case",
    [...Object.keys(TRAIN_STEP_CASES), "all"],
    "all",
  );
  const threads = intOption(values.threads as string, "threads", 2, 1);
  const steps = intOption(values.steps as string, "steps", 3, 1);
  const warmup = intOption(values.warmup as string, "warmup", 1, 0);
  const names = caseName === "all" ? Object.keys(TRAIN_STEP_CASES) : [caseName];
  const device = values.device as string;
  assertDevice(device);
  const precisionChoice = choiceOption(
    values.precision as string,
    "precision",
    ["fp32", "bf16", "fp16", "all"],
    "fp32",
  );
  if (precisionChoice !== "all" && !precisionsOn(device).includes(precisionChoice))
    throw new Error(`--precision ${precisionChoice} needs --device cuda (a CPU autocasts to bf16 only)`);
  const precisions: BenchPrecision[] = precisionChoice === "all" ? precisionsOn(device) : [precisionChoice];
  const results: { name: string; ours: TrainStepResult; torch: TrainStepResult; ratio: number }[] = [];
  for (const n of names) {
    const c = TRAIN_STEP_CASES[n];
    if (!c)
      throw new Error(`bench: unknown case '${n}' (known: ${Object.keys(TRAIN_STEP_CASES).join(", ")})`);
    for (const precision of precisions) {
      logEvent({
        event: "bench.start",
        case: n,
        batch: c.batch,
        size: c.size,
        threads,
        steps,
        precision,
        device,
      });
      // PyTorch first in its own process, then ours, so neither sees the other's memory.
      const run = { threads, steps, warmup, precision, device };
      const torch = benchPytorch(c, run);
      const ours = benchOurs(c, run);
      results.push({ name: n, ours, torch, ratio: ours.ms_median / torch.ms_median });
    }
  }
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "train-step", threads, device, results }));
    return 0;
  }
  const w = [8, 9, 6, 14, 12, 14, 8, 12, 12];
  console.log(
    `SegViz UNet training step (forward + Dice loss + backward + Adam) on ${device}, ${threads} threads, median of ${steps}`,
  );
  console.log(`CPU: ${cpuDescription()}`);
  console.log(
    row(
      ["case", "precision", "batch", "size", "segviz ms", "pytorch ms", "ratio", "segviz MB", "pytorch MB"],
      w,
    ),
  );
  for (const r of results) {
    console.log(
      row(
        [
          r.name,
          r.ours.precision,
          String(r.ours.batch),
          r.ours.size.join("x"),
          r.ours.ms_median.toFixed(0),
          r.torch.ms_median.toFixed(0),
          r.ratio.toFixed(3),
          r.ours.peak_rss_mb.toFixed(0),
          r.torch.peak_rss_mb.toFixed(0),
        ],
        w,
      ),
    );
  }
  console.log("ratio = segviz / pytorch (lower is faster); MB = peak resident memory of each process");
  return 0;
}

async function slidingWindowBench(values: OptionValues): Promise<number> {
  const threads = intOption(values.threads as string, "threads", 2, 1);
  const swBatch = intOption(values["sw-batch"] as string, "sw-batch", 4, 1);
  const roi = (values.roi as string).split(",").map(Number) as [number, number, number];
  if (roi.length !== 3 || roi.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--roi: expected three positive integers like 96,96,96, got '${values.roi}'`);
  // Loaded on demand: it reads the CT under test/fixtures, which no other command needs.
  const { benchSlidingWindow } = await import("../../../bench/sliding-window.js");
  const r = await benchSlidingWindow({
    threads,
    roi,
    swBatch,
    repeats: intOption(values.repeats as string, "repeats", 1, 1),
  });
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  console.log(
    `sliding-window inference, SegViz UNet, real CT preprocessed to ${r.volume.join("x")} (i,j,k), ROI ${r.roi.join("x")}, ${r.windows} windows, sw batch ${swBatch}, ${threads} threads`,
  );
  console.log(
    `segviz ${med(r.oursSeconds).toFixed(2)} s   pytorch ${med(r.torchSeconds).toFixed(2)} s   ratio ${r.ratio.toFixed(3)}`,
  );
  console.log(`max |segviz - pytorch| / max |pytorch| = ${r.maxRelativeDifference.toExponential(2)}`);
  return 0;
}

async function trainBench(values: OptionValues): Promise<number> {
  const which = choiceOption(values.mode as string, "mode", ["loader", "train", "both"], "both");
  const base = {
    threads: intOption(values.threads as string, "threads", 2, 1),
    workers: intOption(values.workers as string, "workers", 2, 0),
    steps: intOption(values.steps as string, "steps", 6, 1),
    warmup: intOption(values.warmup as string, "warmup", 1, 0),
    cases: intOption(values.cases as string, "cases", 4, 1),
    placement: choiceOption(values.placement as string, "placement", ["workers", "device"], "workers"),
    device: values.device as string,
    skipMonai: values["skip-monai"] === true,
  };
  assertDevice(base.device);
  // Loaded on demand: it builds phantom cases, which no other command needs.
  const { benchTrainThroughput } = await import("../../../bench/train-throughput.js");
  const modes = which === "both" ? (["loader", "train"] as const) : ([which] as const);
  const results = [];
  for (const mode of modes) {
    logEvent({ event: "bench.start", benchmark: "train", mode, ...base });
    results.push({ mode, ...(await benchTrainThroughput({ ...base, mode })) });
  }
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "train", ...base, results }));
    return 0;
  }
  console.log(
    `training throughput, study patches (4 x 128x128x32 per case visit, batch 2 visits), ours cut ${base.placement === "device" ? `on ${base.device}` : `by ${base.workers} loader workers`}, MONAI's by ${base.workers}, step on ${base.device}, ${base.threads} threads, ${base.steps} batches`,
  );
  const w = [8, 14, 14, 8, 12, 12];
  console.log(row(["mode", "segviz p/s", "monai p/s", "ratio", "segviz MB", "monai MB"], w));
  for (const r of results) {
    const m = typeof r.monai === "string" ? undefined : r.monai;
    console.log(
      row(
        [
          r.mode,
          r.ours.patches_per_s.toFixed(2),
          m ? m.patches_per_s.toFixed(2) : "-",
          m ? (r.ours.patches_per_s / m.patches_per_s).toFixed(3) : "-",
          r.ours.peak_rss_mb.toFixed(0),
          m ? m.peak_rss_mb.toFixed(0) : "-",
        ],
        w,
      ),
    );
    if (typeof r.monai === "string") console.log(`monai: skipped: ${r.monai}`);
  }
  console.log("ratio = segviz / monai patches per second (higher is faster); MB = peak resident memory");
  return 0;
}
