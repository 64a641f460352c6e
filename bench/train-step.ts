// Benchmark: one full training step (forward, Dice loss, backward, Adam) of the SegViz UNet,
// ours and PyTorch's in the same run with the same thread count, as a ratio.
import { autocast, manualSeed, rand, randn, setNumThreads, type Tensor, tidy } from "../src/engine/index.js";
import { DiceLoss } from "../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../src/nn/monai/unet.js";
import { Adam } from "../src/nn/optim/adam.js";
import { median } from "./median.js";
import { runReference } from "./reference-python.js";

export interface TrainStepCase {
  batch: number;
  size: [number, number, number];
}

/** The CPU benchmarks' precisions: float32, or the forward pass under bfloat16 autocast. */
export type BenchPrecision = "fp32" | "bf16";

export interface TrainStepResult {
  impl: string;
  precision: BenchPrecision;
  batch: number;
  size: number[];
  ms_median: number;
  ms_min: number;
  ms_all: number[];
  peak_rss_mb: number;
}

/** Our training step, in this process. */
export function benchOurs(
  c: TrainStepCase,
  threads: number,
  steps: number,
  warmup: number,
  precision: BenchPrecision = "fp32",
): TrainStepResult {
  setNumThreads(threads);
  manualSeed(0);
  const net = new UNet(SEGVIZ_UNET).train();
  const opt = new Adam(net.namedParameters(), { lr: 1e-4 });
  const lossFn = new DiceLoss({ toOnehotY: true, softmax: true });
  const x = randn([c.batch, 1, ...c.size]);
  const y = tidy(() =>
    rand([c.batch, 1, ...c.size])
      .gt(0.7)
      .to({ dtype: "float32" }),
  );
  // As the trainer: the forward pass under autocast, the loss on float32 logits.
  const forward = (input: Tensor): Tensor =>
    precision === "fp32"
      ? net.forward(input)
      : autocast("cpu", "bfloat16", () => net.forward(input)).to({ dtype: "float32" });
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    tidy(() => {
      opt.zeroGrad(false);
      const loss = lossFn.forward(forward(x), y);
      loss.backward();
      opt.step();
    });
    if (i >= warmup) times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  opt.dispose();
  net.dispose();
  return {
    impl: "segviz",
    precision,
    batch: c.batch,
    size: c.size,
    ms_median: median(times),
    ms_min: Math.min(...times),
    ms_all: times,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

export function benchPytorch(
  c: TrainStepCase,
  threads: number,
  steps: number,
  warmup: number,
  precision: BenchPrecision = "fp32",
): TrainStepResult {
  const out = runReference("torch_unet.py", [
    "bench",
    "--precision",
    precision,
    "--batch",
    String(c.batch),
    "--size",
    ...c.size.map(String),
    "--threads",
    String(threads),
    "--steps",
    String(steps),
    "--warmup",
    String(warmup),
  ]);
  return JSON.parse(out.trim().split("\n").pop()!) as TrainStepResult;
}

export const TRAIN_STEP_CASES: Record<string, TrainStepCase> = {
  "64cube": { batch: 2, size: [64, 64, 64] },
  // MONAI spatial order (x, y, z): 128 x 128 in-plane, 32 slices.
  study: { batch: 8, size: [128, 128, 32] },
};
