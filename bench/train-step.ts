// Benchmark: one full training step (forward, Dice loss, backward, Adam) of the SegViz UNet,
// ours and PyTorch's in the same run with the same thread count, as a ratio.
import { manualSeed, rand, randn, setNumThreads, tidy } from "../src/engine/index.js";
import { DiceLoss } from "../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../src/nn/monai/unet.js";
import { Adam } from "../src/nn/optim/adam.js";
import { median } from "./median.js";
import { runReference } from "./reference-python.js";

export interface TrainStepCase {
  batch: number;
  size: [number, number, number];
}

export interface TrainStepResult {
  impl: string;
  batch: number;
  size: number[];
  ms_median: number;
  ms_min: number;
  ms_all: number[];
  peak_rss_mb: number;
}

/** Our training step, in this process. */
export function benchOurs(c: TrainStepCase, threads: number, steps: number, warmup: number): TrainStepResult {
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
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    tidy(() => {
      opt.zeroGrad(false);
      const loss = lossFn.forward(net.forward(x), y);
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
): TrainStepResult {
  const out = runReference("torch_unet.py", [
    "bench",
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
