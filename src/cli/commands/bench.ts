// `segviz bench <name>`: benchmarks that compare us with the reference in the same run.
import {
  benchOurs,
  benchPytorch,
  TRAIN_STEP_CASES,
  type TrainStepResult,
} from "../../../bench/train-step.js";
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
      json: { type: "boolean", help: "print one JSON line instead of the table" },
    },
    examples: ["segviz bench train-step", "segviz bench train-step --case 64cube --steps 5 --json"],
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

export const benchCommand: CommandGroup = {
  name: "bench",
  summary: "benchmarks against PyTorch in the same run",
  subcommands: { "train-step": trainStep, "sliding-window": slidingWindow },
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
  const results: { name: string; ours: TrainStepResult; torch: TrainStepResult; ratio: number }[] = [];
  for (const n of names) {
    const c = TRAIN_STEP_CASES[n];
    if (!c)
      throw new Error(`bench: unknown case '${n}' (known: ${Object.keys(TRAIN_STEP_CASES).join(", ")})`);
    logEvent({ event: "bench.start", case: n, batch: c.batch, size: c.size, threads, steps });
    // PyTorch first in its own process, then ours, so neither sees the other's memory.
    const torch = benchPytorch(c, threads, steps, warmup);
    const ours = benchOurs(c, threads, steps, warmup);
    results.push({ name: n, ours, torch, ratio: ours.ms_median / torch.ms_median });
  }
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "train-step", threads, results }));
    return 0;
  }
  const w = [8, 6, 14, 12, 14, 8, 12, 12];
  console.log(
    `SegViz UNet training step (forward + Dice loss + backward + Adam), ${threads} threads, median of ${steps}`,
  );
  console.log(
    row(["case", "batch", "size", "segviz ms", "pytorch ms", "ratio", "segviz MB", "pytorch MB"], w),
  );
  for (const r of results) {
    console.log(
      row(
        [
          r.name,
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
