// Trains a multi-head UNet at one site: epochs of patch batches, a Dice (or DiceCE) loss per
// head on the organs the site annotates, Adam with an epoch-indexed LR schedule, validation on
// whole volumes by sliding window, best/last checkpoints, and exact resume. Each epoch re-seeds
// libtorch from (seed, epoch), so a resumed run continues exactly as an uninterrupted one.
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  autocast,
  Tensor as EngineTensor,
  keep,
  manualSeed,
  noGrad,
  type Tensor,
  tidy,
} from "../../engine/index.js";
import { conDistFlLoss, marginalDiceCeLoss } from "../../nn/losses/condist.js";
import { DiceLoss } from "../../nn/losses/dice.js";
import { DiceCELoss } from "../../nn/losses/dice-ce.js";
import { marginalExclusionLoss } from "../../nn/losses/marginal-exclusion.js";
import type { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import { Adam } from "../../nn/optim/adam.js";
import { GradScaler, type GradScalerState } from "../../nn/optim/grad-scaler.js";
import { ConstantSchedule, CosineSchedule, type LrSchedule, StepSchedule } from "../../nn/optim/schedules.js";
import { progress } from "../../util/progress.js";
import { predictVolume } from "../inference/predict-volume.js";
import { diceScore } from "../metrics/index.js";
import { readCheckpoint, writeCheckpoint } from "./checkpoint-files.js";
import { type HeadSpec, headTarget, organIndices } from "./heads.js";
import {
  type BatchSource,
  type EpochResult,
  type Precision,
  precisionsOn,
  type TrainerOptions,
  type ValidationCase,
  type ValidationResult,
} from "./types.js";

interface LossFn {
  forward(input: Tensor, target: Tensor): Tensor;
}

function makeSchedule(o: TrainerOptions): LrSchedule {
  const s = o.schedule ?? { kind: "constant" };
  if (s.kind === "cosine") return new CosineSchedule(o.lr, s.tMax, s.etaMin ?? 0);
  if (s.kind === "step") return new StepSchedule(o.lr, s.stepSize, s.gamma ?? 0.1);
  return new ConstantSchedule(o.lr);
}

export class Trainer {
  /** Epochs completed. */
  epoch = 0;
  bestMeanDice = Number.NEGATIVE_INFINITY;
  readonly history: (EpochResult | ValidationResult)[] = [];
  readonly optimizer: Adam;
  private readonly schedule: LrSchedule;
  private readonly loss: LossFn | null;
  private readonly headIndices: Map<string, number[]>;
  private proximalRef: Map<string, Tensor> | null = null;
  private readonly frozen: Tensor[];
  private proximalMu: number | undefined;
  private teacher: { model: MultiHeadUNet; weight: number } | null = null;
  private readonly precision: Precision;
  /** Loss scaling of "fp16" training; null otherwise. */
  readonly gradScaler: GradScaler | null;

  constructor(
    readonly model: MultiHeadUNet,
    readonly o: TrainerOptions,
  ) {
    for (const h of o.heads) model.head(h.task);
    this.headIndices = new Map(o.heads.map((h) => [h.task, organIndices(h, o.organs)]));
    const trainOnly = o.trainOnly;
    const params = model
      .namedParameters()
      .filter(([n]) => !trainOnly || trainOnly.some((p) => n.startsWith(p)));
    if (params.length === 0) throw new Error(`trainer: trainOnly [${trainOnly}] selects no parameters`);
    // Frozen parameters get no gradient at all, so backward skips their work (restored on dispose).
    const selected = new Set(params.map(([n]) => n));
    this.frozen = model
      .namedParameters()
      .filter(([n, p]) => !selected.has(n) && p.requiresGrad)
      .map(([, p]) => p);
    for (const p of this.frozen) p.requiresGrad = false;
    this.precision = o.precision ?? "fp32";
    if (!precisionsOn(o.device ?? "cpu").includes(this.precision))
      throw new Error(
        `trainer: precision "${this.precision}" needs a CUDA device (device is "${o.device ?? "cpu"}"); a CPU autocasts to "bf16" only`,
      );
    this.gradScaler = this.precision === "fp16" ? new GradScaler() : null;
    this.optimizer = new Adam(params, { lr: o.lr });
    this.schedule = makeSchedule(o);
    if (o.loss === "marginal-exclusion") {
      const binary = o.heads.find((h) => h.organs.length < 2);
      if (binary)
        throw new Error(
          `trainer: the marginal + exclusion loss needs multi-class heads; '${binary.task}' has one organ`,
        );
    }
    this.loss =
      o.loss === "marginal-exclusion" || o.loss === "condist"
        ? null
        : o.loss === "dicece"
          ? new DiceCELoss({ toOnehotY: true, softmax: true })
          : new DiceLoss({ toOnehotY: true, softmax: true });
  }

  get heads(): HeadSpec[] {
    return this.o.heads;
  }

  /**
   * FedProx: the global weights this site's update is pulled towards (copied; names as the model's).
   * `mu`, when given, overrides the configured proximalMu (a federation sets it per round).
   */
  setProximalReference(weights: Map<string, Tensor> | null, mu?: number): void {
    this.proximalMu = mu;
    if (this.proximalRef) for (const t of this.proximalRef.values()) t.dispose();
    this.proximalRef =
      weights &&
      new Map(
        [...weights].map(([k, v]) => {
          const device = this.o.device ?? "cpu";
          return [
            k,
            keep(noGrad(() => (v.device === device ? v.detach().clone() : v.detach().to({ device })))),
          ];
        }),
      );
  }

  /**
   * ConDistFL: the model whose probabilities are distilled into this one (the round's global
   * model, used as is: eval mode, no gradients) and the distillation's weight this round.
   */
  setTeacher(model: MultiHeadUNet | null, weight = 1): void {
    if (model !== null && this.o.loss !== "condist")
      throw new Error(`trainer: a teacher model needs the "condist" loss, not "${this.o.loss}"`);
    if (model !== null && !(weight >= 0))
      throw new Error(`trainer: distillation weight must be >= 0, got ${weight}`);
    this.teacher = model && { model, weight };
  }

  /** One head's loss; `annotated` (organ names) only matters to the marginal + exclusion loss. */
  private headLoss(
    h: HeadSpec,
    logits: Tensor,
    label: Tensor,
    annotated?: readonly string[],
    teacherLogits?: Tensor,
  ): Tensor {
    const target = headTarget(label, this.headIndices.get(h.task)!);
    if (this.loss) return this.loss.forward(logits, target);
    if (this.o.loss === "condist") {
      const labelled = this.o.annotatedOrgans ?? this.o.organs;
      const foreground = h.organs.flatMap((o, k) => (labelled.includes(o) ? [k + 1] : []));
      if (foreground.length === 0)
        throw new Error(
          `trainer: the site annotates none of head '${h.task}''s organs [${h.organs.join(", ")}]`,
        );
      if (teacherLogits === undefined) return marginalDiceCeLoss(logits, target, { foreground });
      return conDistFlLoss(logits, teacherLogits, target, {
        foreground,
        weight: this.teacher!.weight,
        temperature: this.o.condist?.temperature,
        divergence: this.o.condist?.divergence,
      });
    }
    const channels = h.organs.flatMap((o, k) =>
      annotated === undefined || annotated.includes(o) ? [k + 1] : [],
    );
    if (channels.length === 0)
      throw new Error(
        `trainer: a batch annotates none of head '${h.task}''s organs [${h.organs.join(", ")}]`,
      );
    return marginalExclusionLoss(logits, target, {
      annotated: channels,
      lambdaExclusion: this.o.lambdaExclusion ?? 1,
    });
  }

  /**
   * A model's logits per head at the configured precision: the forward pass under autocast, its
   * logits cast to float32 so that every loss is computed in float32.
   */
  private forwardHeads(model: MultiHeadUNet, image: Tensor): Map<string, Tensor> {
    if (this.precision === "fp32") return model.forwardAll(image);
    const deviceType = (this.o.device ?? "cpu").startsWith("cuda") ? "cuda" : "cpu";
    const out = autocast(deviceType, this.precision === "bf16" ? "bfloat16" : "float16", () =>
      model.forwardAll(image),
    );
    return new Map(
      [...out].map(([task, t]) => [task, t.dtype === "float32" ? t : t.to({ dtype: "float32" })]),
    );
  }

  private stepLoss(image: Tensor, label: Tensor, annotated?: readonly string[]): Tensor {
    const out = this.forwardHeads(this.model, image);
    const teacherOut = this.teacher && noGrad(() => this.forwardHeads(this.teacher!.model, image));
    let total: Tensor | null = null;
    for (const h of this.o.heads) {
      const l = this.headLoss(h, out.get(h.task)!, label, annotated, teacherOut?.get(h.task));
      total = total === null ? l : total.add(l);
    }
    const mu = this.proximalMu ?? this.o.proximalMu ?? 0;
    if (mu > 0 && this.proximalRef) {
      const own = new Map(this.model.namedParameters());
      for (const [name, ref] of this.proximalRef) {
        const p = own.get(name);
        if (p)
          total = total!.add(
            p
              .sub(ref)
              .pow(2)
              .sum()
              .mul(mu / 2),
          );
      }
    }
    return total!;
  }

  async trainEpoch(source: BatchSource): Promise<EpochResult> {
    const epoch = this.epoch;
    const lr = this.schedule.apply(this.optimizer, epoch);
    manualSeed(this.o.seed * 100_003 + epoch);
    this.model.train();
    // A frozen part runs as in inference: its BatchNorm uses and keeps its running statistics, so
    // fine-tuning the heads leaves the body exactly as it was (e.g. the federation's shared body).
    const trainOnly = this.o.trainOnly;
    if (trainOnly) {
      for (const [name, m] of this.model.namedModules()) {
        const dotted = `${name}.`;
        if (!trainOnly.some((p) => dotted.startsWith(p) || p.startsWith(dotted))) m.training = false;
      }
    }
    const t0 = performance.now();
    let sum = 0;
    let steps = 0;
    const label = this.o.progressLabel ? `${this.o.progressLabel} epoch ${epoch + 1}` : `epoch ${epoch + 1}`;
    const bar = this.o.progress ? progress(label, 0) : null;
    for await (const b of source.batches(epoch)) {
      const loss = tidy(() => {
        const device = this.o.device ?? "cpu";
        let image = b.image instanceof EngineTensor ? b.image : EngineTensor.fromArray(b.image, b.shape);
        let label = b.label instanceof EngineTensor ? b.label : EngineTensor.fromArray(b.label, b.shape);
        if (image.device !== device) image = image.to({ device });
        if (label.device !== device) label = label.to({ device });
        this.optimizer.zeroGrad(false);
        const l = this.stepLoss(image, label, b.annotated);
        if (this.gradScaler) {
          this.gradScaler.scaleLoss(l).backward();
          this.gradScaler.step(this.optimizer);
        } else {
          l.backward();
          this.optimizer.step();
        }
        return l.item();
      });
      // A device batch's tensors are the trainer's to free.
      if (b.image instanceof EngineTensor) b.image.dispose();
      if (b.label instanceof EngineTensor) b.label.dispose();
      if (!Number.isFinite(loss))
        throw new Error(`trainer: loss became ${loss} at epoch ${epoch + 1}, step ${steps + 1}`);
      sum += loss;
      steps++;
      bar?.update(steps, { loss: sum / steps });
    }
    if (steps === 0) throw new Error(`trainer: the batch source gave no batches for epoch ${epoch + 1}`);
    bar?.finish({ loss: sum / steps });
    this.epoch = epoch + 1;
    const r: EpochResult = {
      epoch: this.epoch,
      loss: sum / steps,
      steps,
      lr,
      seconds: (performance.now() - t0) / 1000,
    };
    this.history.push(r);
    await this.record({ event: "epoch", ...r });
    return r;
  }

  /** Dice per organ of the fused prediction of this site's heads on whole volumes. */
  validate(cases: readonly ValidationCase[]): ValidationResult {
    if (!this.o.validation) throw new Error("trainer: no validation settings");
    const organs = [...new Set(this.o.heads.flatMap((h) => h.organs))];
    const perCase = cases.map((c) => {
      const labels = tidy(() => {
        const image = EngineTensor.fromArray(c.image, [1, 1, ...c.shape]);
        const pred = predictVolume(
          this.model,
          this.o.heads.map((h) => ({ task: h.task, organIndices: this.headIndices.get(h.task)! })),
          image,
          this.o.validation!.sw,
          0.5,
          this.o.device,
        );
        for (const p of pred.probabilities.values()) p.dispose();
        return pred.labels.toArray() as Uint8Array;
      });
      const dice: Record<string, number> = {};
      for (const organ of organs) dice[organ] = diceScore(labels, c.label, this.o.organs.indexOf(organ) + 1);
      return { id: c.id, dice };
    });
    const dice: Record<string, number> = {};
    for (const organ of organs) {
      const vals = perCase.map((p) => p.dice[organ]!).filter((v) => !Number.isNaN(v));
      dice[organ] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : Number.NaN;
    }
    const means = Object.values(dice).filter((v) => !Number.isNaN(v));
    const meanDice = means.length ? means.reduce((a, b) => a + b, 0) / means.length : Number.NaN;
    return { epoch: this.epoch, dice, meanDice, perCase };
  }

  /** Trains until `epochs` are complete (continuing from this.epoch), validating and checkpointing. */
  async fit(
    source: BatchSource,
    epochs: number,
    validationCases: readonly ValidationCase[] = [],
  ): Promise<void> {
    while (this.epoch < epochs) {
      await this.trainEpoch(source);
      const v = this.o.validation;
      if (v && validationCases.length && (this.epoch % v.every === 0 || this.epoch === epochs)) {
        const r = this.validate(validationCases);
        this.history.push(r);
        await this.record({ event: "validation", epoch: r.epoch, dice: r.dice, meanDice: r.meanDice });
        if (r.meanDice > this.bestMeanDice) {
          this.bestMeanDice = r.meanDice;
          if (this.o.outDir) await this.saveCheckpoint(join(this.o.outDir, "best"));
        }
      }
      if (this.o.outDir) await this.saveCheckpoint(join(this.o.outDir, "last"));
    }
  }

  async saveCheckpoint(dir: string): Promise<void> {
    await writeCheckpoint(
      dir,
      {
        model: this.model.stateDict(),
        optimizer: this.optimizer.stateDict(),
        trainer: {
          ...this.o.checkpointInfo,
          epoch: this.epoch,
          bestMeanDice: this.bestMeanDice,
          precision: this.precision,
          ...(this.gradScaler && { gradScaler: this.gradScaler.stateDict() }),
          heads: this.o.heads,
          organs: this.o.organs,
          history: this.history,
        },
      },
      { epoch: String(this.epoch), heads: JSON.stringify(this.o.heads) },
    );
  }

  /** Restores model, optimiser and progress from a checkpoint written by saveCheckpoint. */
  async resume(dir: string): Promise<void> {
    const c = await readCheckpoint(dir);
    try {
      this.model.loadStateDict(c.model);
      this.optimizer.loadStateDict(c.optimizer);
    } finally {
      for (const t of c.model.values()) t.dispose();
      for (const t of c.optimizer.tensors.values()) t.dispose();
    }
    if (this.gradScaler && c.trainer.gradScaler)
      this.gradScaler.loadStateDict(c.trainer.gradScaler as GradScalerState);
    this.epoch = Number(c.trainer.epoch ?? 0);
    const best = c.trainer.bestMeanDice;
    this.bestMeanDice = typeof best === "number" ? best : Number.NEGATIVE_INFINITY;
    this.history.length = 0;
    if (Array.isArray(c.trainer.history))
      this.history.push(...(c.trainer.history as (EpochResult | ValidationResult)[]));
  }

  private async record(fields: Record<string, unknown>): Promise<void> {
    this.o.log?.(fields);
    if (!this.o.outDir) return;
    await mkdir(this.o.outDir, { recursive: true });
    await appendFile(
      join(this.o.outDir, "metrics.jsonl"),
      `${JSON.stringify({ t: new Date().toISOString(), ...fields })}\n`,
    );
  }

  dispose(): void {
    this.optimizer.dispose();
    this.setProximalReference(null);
    for (const p of this.frozen) if (!p.isDisposed) p.requiresGrad = true;
  }
}
