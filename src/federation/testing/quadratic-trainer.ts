// A real but tiny trainer for testing the federation without a network: each site minimises its
// own quadratic objective  sum_name (a/2) * ||w_name - target_name||^2  by gradient descent on
// Float32Arrays, with tensor names shaped like a MONAI UNet's (a shared body, BatchNorm weight,
// bias and running statistics, and a per-organ head at model.2.*). Everything is seeded, so the
// same inputs give bit-identical outputs: what coordinator-resume tests need.

import type { NamedTensorData } from "../../nn/safetensors/index.js";
import { mulberry32 } from "../../util/mulberry32.js";
import type { SiteTrainer, TrainingResult, TrainingRound } from "../site/site-trainer.js";
import { weightSetDigest } from "../weights/weight-digest.js";
import type { WeightSet } from "../weights/weight-set.js";

export interface QuadraticTrainerOptions {
  /** Seeds this site's targets and BatchNorm statistics. */
  siteSeed: number;
  /** Seeds the initial weights; equal on every site so they start from one model. */
  initSeed?: number;
  organs?: string[];
  numTrainingCases?: number;
  learningRate?: number;
  stepsPerEpoch?: number;
  /** Wall-clock pause per step, to make rounds slow enough to kill a site mid-round. */
  stepDelayMs?: number;
  /** Tensor layout; defaults to a small UNet-like set. */
  layout?: Record<string, { dtype: "float32" | "int64"; shape: number[] }>;
  /** Testing faults: from this round on, return NaN or a wrongly shaped tensor. */
  /**
   * From that round on, a broken update: a NaN, a wrong shape, only one of its tensors ("partial"),
   * or every float tensor's change from the global weights times 1000 ("scale").
   */
  poison?: { fromRound: number; kind: "nan" | "shape" | "partial" | "scale" };
}

const UNET_LIKE_LAYOUT: NonNullable<QuadraticTrainerOptions["layout"]> = {
  "model.0.conv.unit0.conv.weight": { dtype: "float32", shape: [4, 3] },
  "model.0.conv.unit0.conv.bias": { dtype: "float32", shape: [4] },
  "model.0.conv.unit0.adn.N.weight": { dtype: "float32", shape: [4] },
  "model.0.conv.unit0.adn.N.bias": { dtype: "float32", shape: [4] },
  "model.0.conv.unit0.adn.N.running_mean": { dtype: "float32", shape: [4] },
  "model.0.conv.unit0.adn.N.running_var": { dtype: "float32", shape: [4] },
  "model.0.conv.unit0.adn.N.num_batches_tracked": { dtype: "int64", shape: [] },
  "model.1.submodule.0.conv.weight": { dtype: "float32", shape: [3, 4] },
  "model.2.0.conv.weight": { dtype: "float32", shape: [2, 3] },
  "model.2.0.conv.bias": { dtype: "float32", shape: [2] },
};

/** Uniform [0, 1) numbers from a seed (mulberry32). */
const seededRandom = mulberry32;

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const isRunningStat = (name: string) => name.endsWith(".running_mean") || name.endsWith(".running_var");

export class QuadraticTestTrainer implements SiteTrainer {
  private readonly layout: NonNullable<QuadraticTrainerOptions["layout"]>;
  private readonly targets = new Map<string, Float64Array>();
  private readonly curvature: number;

  constructor(private readonly options: QuadraticTrainerOptions) {
    this.layout = options.layout ?? UNET_LIKE_LAYOUT;
    const rand = seededRandom(options.siteSeed * 7919 + 17);
    for (const [name, spec] of Object.entries(this.layout)) {
      if (spec.dtype !== "float32") continue;
      const t = new Float64Array(count(spec.shape));
      for (let i = 0; i < t.length; i++)
        t[i] = isRunningStat(name) && name.endsWith("var") ? 0.5 + rand() : rand() * 4 - 2;
      this.targets.set(name, t);
    }
    this.curvature = 1 + (options.siteSeed % 3) * 0.5;
  }

  describe() {
    return {
      organs: this.options.organs ?? ["liver"],
      numTrainingCases: this.options.numTrainingCases ?? 10,
    };
  }

  async initialWeights(): Promise<WeightSet> {
    const rand = seededRandom(this.options.initSeed ?? 1);
    const w: WeightSet = new Map();
    for (const [name, spec] of Object.entries(this.layout)) {
      if (spec.dtype === "int64") {
        w.set(name, { dtype: "int64", shape: [...spec.shape], data: new BigInt64Array(count(spec.shape)) });
        continue;
      }
      const data = new Float32Array(count(spec.shape));
      if (name.endsWith(".running_var")) data.fill(1);
      else if (!name.endsWith(".running_mean")) for (let i = 0; i < data.length; i++) data[i] = rand() - 0.5;
      w.set(name, { dtype: "float32", shape: [...spec.shape], data });
    }
    return w;
  }

  loss(weights: WeightSet): number {
    let loss = 0;
    for (const [name, target] of this.targets) {
      if (isRunningStat(name)) continue;
      const w = weights.get(name)!.data as Float32Array;
      for (let i = 0; i < w.length; i++) loss += 0.5 * this.curvature * (w[i] - target[i]) ** 2;
    }
    return loss;
  }

  async train(weights: WeightSet, round: TrainingRound): Promise<TrainingResult> {
    const lr = this.options.learningRate ?? 0.1;
    const steps = round.localEpochs * (this.options.stepsPerEpoch ?? 5);
    const out: WeightSet = new Map();
    for (const [name, t] of weights)
      out.set(name, { ...t, shape: [...t.shape], data: t.data.slice() } as NamedTensorData);
    const lossBefore = this.loss(out);
    // The sharing evidence a real trainer reports: the shared tensors as received and as loaded.
    const loaded: WeightSet = new Map(
      [...round.globalWeights.keys()].flatMap((n) => (weights.has(n) ? [[n, weights.get(n)!]] : [])),
    );
    const digests = {
      receivedSharedDigest: weightSetDigest(round.globalWeights),
      loadedSharedDigest: weightSetDigest(loaded),
    };
    for (let step = 0; step < steps; step++) {
      for (const [name, target] of this.targets) {
        const w = out.get(name)!.data as Float32Array;
        if (isRunningStat(name)) {
          // BatchNorm running statistics follow this site's data, as momentum 0.1 would.
          for (let i = 0; i < w.length; i++) w[i] = Math.fround(0.9 * w[i] + 0.1 * target[i]);
          continue;
        }
        const anchor =
          round.proximalMu > 0
            ? (round.globalWeights.get(name)?.data as Float32Array | undefined)
            : undefined;
        for (let i = 0; i < w.length; i++) {
          let g = this.curvature * (w[i] - target[i]);
          if (anchor !== undefined) g += round.proximalMu * (w[i] - anchor[i]);
          w[i] = Math.fround(w[i] - lr * g);
        }
      }
      for (const [name, t] of out)
        if (name.endsWith(".num_batches_tracked")) (t.data as BigInt64Array)[0] += 1n;
      if (this.options.stepDelayMs) await new Promise((r) => setTimeout(r, this.options.stepDelayMs));
    }
    const metrics = { loss_before: lossBefore, loss: this.loss(out), ...digests };
    const poison = this.options.poison;
    if (poison !== undefined && round.round >= poison.fromRound) {
      const name = "model.0.conv.unit0.conv.weight";
      const t = out.get(name)!;
      if (poison.kind === "nan") (t.data as Float32Array)[0] = Number.NaN;
      else if (poison.kind === "scale") {
        for (const [n, u] of out) {
          const g = round.globalWeights.get(n);
          if (g === undefined || u.dtype !== "float32") continue;
          const w = u.data as Float32Array;
          const w0 = g.data as Float32Array;
          for (let i = 0; i < w.length; i++) w[i] = w0[i]! + 1000 * (w[i]! - w0[i]!);
        }
      } else if (poison.kind === "partial") {
        for (const other of [...out.keys()]) if (other !== name) out.delete(other);
      } else
        out.set(name, {
          dtype: "float32",
          shape: [t.data.length + 1],
          data: new Float32Array(t.data.length + 1),
        });
    }
    return { weights: out, metrics };
  }

  async evaluate(weights: WeightSet, _round: number): Promise<Record<string, number>> {
    return { loss: this.loss(weights) };
  }
}
