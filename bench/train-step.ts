// Benchmark: one full training step (forward, Dice loss, backward, Adam) of the SegViz UNet,
// ours and PyTorch's in the same run with the same thread count, as a ratio.
import { autocast, manualSeed, rand, randn, setNumThreads, type Tensor, tidy } from "../src/engine/index.js";
import { DiceLoss } from "../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../src/nn/monai/unet.js";
import { Adam } from "../src/nn/optim/adam.js";
import { GradScaler } from "../src/nn/optim/grad-scaler.js";
import { median } from "./median.js";
import { runReference } from "./reference-python.js";

export interface TrainStepCase {
  batch: number;
  size: [number, number, number];
}

/** fp32, or the forward pass under autocast: bf16 (CPU or CUDA), fp16 (CUDA, with loss scaling). */
export type BenchPrecision = "fp32" | "bf16" | "fp16";

export interface TrainStepRun {
  threads: number;
  steps: number;
  warmup: number;
  precision: BenchPrecision;
  /** "cpu" or "cuda[:n]"; on CUDA every step ends by reading the loss, so the time is the device's. */
  device: string;
}

export interface TrainStepResult {
  impl: string;
  precision: BenchPrecision;
  device: string;
  batch: number;
  size: number[];
  ms_median: number;
  ms_min: number;
  ms_all: number[];
  peak_rss_mb: number;
}

/** Our training step, in this process, as the trainer takes it. */
export function benchOurs(c: TrainStepCase, r: TrainStepRun): TrainStepResult {
  setNumThreads(r.threads);
  manualSeed(0);
  const net = new UNet(SEGVIZ_UNET).toDevice(r.device).train();
  const opt = new Adam(net.namedParameters(), { lr: 1e-4 });
  const scaler = r.precision === "fp16" ? new GradScaler() : null;
  const lossFn = new DiceLoss({ toOnehotY: true, softmax: true });
  const x = tidy(() => randn([c.batch, 1, ...c.size]).to({ device: r.device }));
  const y = tidy(() =>
    rand([c.batch, 1, ...c.size])
      .gt(0.7)
      .to({ dtype: "float32", device: r.device }),
  );
  const deviceType = r.device.startsWith("cuda") ? "cuda" : "cpu";
  // As the trainer: the forward pass under autocast, the loss on float32 logits.
  const forward = (input: Tensor): Tensor =>
    r.precision === "fp32"
      ? net.forward(input)
      : autocast(deviceType, r.precision === "bf16" ? "bfloat16" : "float16", () => net.forward(input)).to({
          dtype: "float32",
        });
  const times: number[] = [];
  for (let i = 0; i < r.warmup + r.steps; i++) {
    const t0 = performance.now();
    tidy(() => {
      opt.zeroGrad(false);
      const loss = lossFn.forward(forward(x), y);
      if (scaler) {
        scaler.scaleLoss(loss).backward();
        scaler.step(opt);
      } else {
        loss.backward();
        opt.step();
      }
      loss.item();
    });
    if (i >= r.warmup) times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  opt.dispose();
  net.dispose();
  return {
    impl: "segviz",
    precision: r.precision,
    device: r.device,
    batch: c.batch,
    size: c.size,
    ms_median: median(times),
    ms_min: Math.min(...times),
    ms_all: times,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

export function benchPytorch(c: TrainStepCase, r: TrainStepRun): TrainStepResult {
  const out = runReference("torch_unet.py", [
    "bench",
    "--precision",
    r.precision,
    "--device",
    r.device,
    "--batch",
    String(c.batch),
    "--size",
    ...c.size.map(String),
    "--threads",
    String(r.threads),
    "--steps",
    String(r.steps),
    "--warmup",
    String(r.warmup),
  ]);
  return JSON.parse(out.trim().split("\n").pop()!) as TrainStepResult;
}

export const TRAIN_STEP_CASES: Record<string, TrainStepCase> = {
  "64cube": { batch: 2, size: [64, 64, 64] },
  // MONAI spatial order (x, y, z): 128 x 128 in-plane, 32 slices.
  study: { batch: 8, size: [128, 128, 32] },
};
