// `segviz bench <name>`: benchmarks that compare us with the reference in the same run.
import { parseArgs } from "node:util";
import { benchSlidingWindow } from "../../../bench/sliding-window.js";
import {
  benchOurs,
  benchPytorch,
  TRAIN_STEP_CASES,
  type TrainStepResult,
} from "../../../bench/train-step.js";
import { logEvent } from "../../util/progress.js";

const USAGE = `usage: segviz bench train-step [--case 64cube|study|all] [--threads N] [--steps N] [--warmup N] [--json]
       segviz bench sliding-window [--threads N] [--roi I,J,K] [--sw-batch N] [--repeats N]`;

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
}

export async function benchCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "sliding-window") return slidingWindowCommand(rest);
  if (name !== "train-step") {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      case: { type: "string", default: "all" },
      threads: { type: "string", default: "2" },
      steps: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
    },
  });
  const threads = Number(values.threads);
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const names = values.case === "all" ? Object.keys(TRAIN_STEP_CASES) : [values.case!];
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

async function slidingWindowCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      threads: { type: "string", default: "2" },
      roi: { type: "string", default: "96,96,96" },
      "sw-batch": { type: "string", default: "4" },
      repeats: { type: "string", default: "1" },
    },
  });
  const roi = values.roi!.split(",").map(Number) as [number, number, number];
  const r = await benchSlidingWindow({
    threads: Number(values.threads),
    roi,
    swBatch: Number(values["sw-batch"]),
    repeats: Number(values.repeats),
  });
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  console.log(
    `sliding-window inference, SegViz UNet, real CT preprocessed to ${r.volume.join("x")} (i,j,k), ROI ${r.roi.join("x")}, ${r.windows} windows, sw batch ${values["sw-batch"]}, ${values.threads} threads`,
  );
  console.log(
    `segviz ${med(r.oursSeconds).toFixed(2)} s   pytorch ${med(r.torchSeconds).toFixed(2)} s   ratio ${r.ratio.toFixed(3)}`,
  );
  console.log(`max |segviz - pytorch| / max |pytorch| = ${r.maxRelativeDifference.toExponential(2)}`);
  return 0;
}
