// What the trainer consumes: batches of patches and whole validation volumes, both carrying
// organ-index labels (label value i + 1 = organs[i]).
import type { Tensor } from "../../engine/index.js";
import type { SlidingWindowOptions } from "../inference/sliding-window.js";
import type { HeadSpec } from "./heads.js";

export interface TrainingBatch {
  /**
   * Preprocessed intensities, [B, 1, X, Y, Z] row-major: a host array, or a tensor already on the
   * trainer's device (device augmentation), which the trainer disposes after the step.
   */
  image: Float32Array | Tensor;
  label: Uint8Array | Tensor;
  shape: [number, number, number, number, number];
  /**
   * Organs annotated in every patch of this batch (partial labels): needed by the marginal +
   * exclusion loss; absent means every organ of the vocabulary is annotated.
   */
  annotated?: readonly string[];
}

export interface BatchSource {
  /** The batches of one epoch; the same epoch number gives the same batches (seeded). */
  batches(epoch: number): AsyncIterable<TrainingBatch>;
}

export interface ValidationCase {
  id: string;
  image: Float32Array;
  label: Uint8Array;
  shape: [number, number, number];
}

export type LrScheduleConfig =
  | { kind: "constant" }
  | { kind: "cosine"; tMax: number; etaMin?: number }
  | { kind: "step"; stepSize: number; gamma?: number };

/**
 * Arithmetic of the training step's forward pass: "fp32", or autocast as PyTorch's ("bf16" on a
 * CPU or CUDA, "fp16" on CUDA with dynamic loss scaling). Losses, gradients of the float32 weights
 * and the optimiser stay in float32; validation and prediction run in float32.
 */
export type Precision = "fp32" | "bf16" | "fp16";

/** The precisions a device trains in: fp16 autocast is CUDA's alone (this libtorch autocasts a CPU to bf16). */
export function precisionsOn(device: string): Precision[] {
  return device.startsWith("cuda") ? ["fp32", "bf16", "fp16"] : ["fp32", "bf16"];
}

export interface TrainerOptions {
  /** Label vocabulary. */
  organs: readonly string[];
  /** The heads this site trains and the organs each predicts. */
  heads: HeadSpec[];
  /**
   * "marginal-exclusion" (Shi et al. 2021) needs every head to be multi-class and uses each
   * batch's `annotated` organs.
   */
  loss: "dice" | "dicece" | "marginal-exclusion" | "condist";
  /**
   * Organs this site annotates (the ConDistFL loss: marginal loss on these, distillation of the
   * teacher's split of the rest); default every organ of the vocabulary.
   */
  annotatedOrgans?: readonly string[];
  /** ConDistFL's distillation settings (defaults: temperature 2, "dice" as the paper). */
  condist?: { temperature?: number; divergence?: "dice" | "kl" };
  /** Weight of the exclusion term of the marginal + exclusion loss (default 1). */
  lambdaExclusion?: number;
  /** Where the model and batches live: "cpu" (default) or "cuda[:n]" (model moved by the caller). */
  device?: string;
  /** Default "fp32". */
  precision?: Precision;
  lr: number;
  schedule?: LrScheduleConfig;
  seed: number;
  validation?: { every: number; sw: SlidingWindowOptions };
  /** Where checkpoints (best, last) and metrics.jsonl go; nothing is written without it. */
  outDir?: string;
  /** Train only parameters whose name starts with one of these (e.g. ["heads."] for head fine-tuning). */
  trainOnly?: string[];
  /** FedProx: adds mu/2 * ||w - w_global||^2 over the reference weights (setProximalReference). */
  proximalMu?: number;
  /** Structured log sink (one object per epoch / validation); defaults to none. */
  log?: (fields: Record<string, unknown>) => void;
  /** Show a progress bar / progress lines per epoch. */
  progress?: boolean;
  /** Names the progress bar (e.g. the site), before "epoch N". */
  progressLabel?: string;
  /** Stored in every checkpoint's trainer.json (e.g. the model config and preprocessing), for predict. */
  checkpointInfo?: Record<string, unknown>;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  steps: number;
  lr: number;
  seconds: number;
}

export interface ValidationResult {
  epoch: number;
  /** Mean Dice per organ over cases (NaN cases excluded). */
  dice: Record<string, number>;
  /** Mean of the organ means: the model-selection score. */
  meanDice: number;
  perCase: { id: string; dice: Record<string, number> }[];
}
