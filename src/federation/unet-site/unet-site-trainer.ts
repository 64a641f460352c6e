// The federation's SiteTrainer for a real site: the site's multi-head UNet and Trainer, built from
// its SiteTrainingConfig, behind the interface the federation's site client drives. The federation layer
// never sees the UNet; it hands this adapter full weight sets named as the model's state dict
// (body model.0.* / model.1.*, heads heads.<task>.*) and takes full weight sets back.
//
// Each round starts from the weights the site client passes in (the coordinator's shared tensors
// merged over this site's own local ones) and its epochs are numbered (round - 1) * localEpochs
// onwards, so a round's result depends only on its inputs: a site that restarts and receives the
// same weights trains to the same result. The Adam state either starts fresh every round
// ("reset") or continues from the end of the site's previous round ("keep", the task option
// optimizerState); kept state travels as local tensors (optimizer-state.ts), so it survives a
// restart like the site's head does and never leaves the site.
import type { PatchSource } from "../../data/pipeline/patch-source.js";
import { setNumThreads, type Tensor } from "../../engine/index.js";
import { dataToTensor, tensorToData } from "../../nn/checkpoint.js";
import { conDistWeight } from "../../nn/losses/condist.js";
import type { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import { createSitePatchLoader, type PreparedSite, prepareSite } from "../../training/site/prepare-site.js";
import {
  createSiteModel,
  createStartingSiteModel,
  siteTrainerOptions,
} from "../../training/site/run-site-training.js";
import { Trainer } from "../../training/trainer/trainer.js";
import type { TrainerOptions, ValidationResult } from "../../training/trainer/types.js";
import type {
  SiteDescriptionForTrainer,
  SiteTrainer,
  TrainingResult,
  TrainingRound,
} from "../site/site-trainer.js";
import { weightSetDigest } from "../weights/weight-digest.js";
import type { WeightSet } from "../weights/weight-set.js";
import {
  loadOptimizerStateFromWeights,
  type OptimizerStatePolicy,
  optimizerStateToWeights,
  splitOptimizerState,
} from "./optimizer-state.js";

interface UNetSiteTrainerOptions {
  /** Seed of the initial weights; every site of a federation must use the same (default training.seed). */
  initSeed?: number;
  /** Per-epoch log lines (the trainer's structured events); none by default. */
  log?: (fields: Record<string, unknown>) => void;
}

function toTensors(weights: WeightSet): Map<string, Tensor> {
  return new Map([...weights].map(([k, d]) => [k, dataToTensor(d)]));
}

function dispose(tensors: Map<string, Tensor>): void {
  for (const t of tensors.values()) t.dispose();
}

/** Validation metrics as flat numbers: meanDice and dice.<organ> (NaN where undefined). */
function validationMetrics(r: ValidationResult): Record<string, number> {
  const out: Record<string, number> = { meanDice: r.meanDice };
  for (const [organ, d] of Object.entries(r.dice)) out[`dice.${organ}`] = d;
  return out;
}

/** The round's optimiser policy from the task options (default "reset": a fresh Adam per round). */
function optimizerPolicy(options: Readonly<Record<string, string>>): OptimizerStatePolicy {
  const v = options.optimizerState ?? "reset";
  if (v !== "keep" && v !== "reset")
    throw new Error(`task option optimizerState: expected "keep" or "reset", got ${JSON.stringify(v)}`);
  return v;
}

/**
 * ConDistFL's distillation weight this round: a linear ramp from 0.01 to 1 over the federation's
 * rounds (task option "rounds"), as the reference implementation schedules it.
 */
function condistWeight(round: TrainingRound): number {
  const rounds = Number(round.options.rounds ?? round.round);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(
      `task option rounds: expected a positive integer, got ${JSON.stringify(round.options.rounds)}`,
    );
  return conDistWeight(Math.min(round.round, rounds), rounds);
}

export class UNetSiteTrainer implements SiteTrainer {
  private readonly initial: WeightSet;
  private readonly options: TrainerOptions;
  private closed = false;
  private teacher: MultiHeadUNet | undefined;

  private constructor(
    readonly config: SiteTrainingConfig,
    readonly model: MultiHeadUNet,
    private readonly prepared: PreparedSite,
    private readonly loader: PatchSource,
    opts: UNetSiteTrainerOptions,
  ) {
    this.initial = this.currentWeights();
    this.options = { ...siteTrainerOptions(config), log: opts.log, progress: false };
  }

  /** Prepares the site's data (cache, split) and builds its seeded model and patch loader. */
  static async create(
    config: SiteTrainingConfig,
    opts: UNetSiteTrainerOptions = {},
  ): Promise<UNetSiteTrainer> {
    setNumThreads(config.training.threads);
    const prepared = await prepareSite(config);
    const model = await createStartingSiteModel(config, opts.initSeed ?? config.training.seed);
    const loader = await createSitePatchLoader(config, prepared);
    return new UNetSiteTrainer(config, model, prepared, loader, opts);
  }

  describe(): SiteDescriptionForTrainer {
    return {
      organs: [...new Set(this.config.heads.flatMap((h) => h.organs))],
      numTrainingCases: this.prepared.trainEntries.length,
    };
  }

  async initialWeights(): Promise<WeightSet> {
    return new Map(this.initial);
  }

  async train(weights: WeightSet, round: TrainingRound): Promise<TrainingResult> {
    const policy = optimizerPolicy(round.options);
    const { model: modelWeights, optimizer: optimizerWeights } = splitOptimizerState(weights);
    this.load(modelWeights);
    // Evidence of sharing for the round log: the digest of the shared tensors as received, and of
    // the same tensors as the model now holds them (equal only if they were really loaded).
    const state = this.model.stateDict();
    const loaded: WeightSet = new Map();
    for (const name of round.globalWeights.keys()) {
      const t = state.get(name);
      if (t !== undefined) loaded.set(name, tensorToData(t));
    }
    const digests = {
      receivedSharedDigest: weightSetDigest(round.globalWeights),
      loadedSharedDigest: weightSetDigest(loaded),
    };
    const trainer = new Trainer(this.model, this.options);
    try {
      if (policy === "keep")
        loadOptimizerStateFromWeights(trainer.optimizer, optimizerWeights, `site ${this.config.site}`);
      if (this.config.training.loss === "condist")
        trainer.setTeacher(this.teacherFor(modelWeights), condistWeight(round));
      if (round.proximalMu > 0) {
        const reference = toTensors(round.globalWeights);
        try {
          trainer.setProximalReference(reference, round.proximalMu);
        } finally {
          dispose(reference);
        }
      }
      trainer.epoch = Math.max(0, round.round - 1) * round.localEpochs;
      const t0 = performance.now();
      let loss = Number.NaN;
      let steps = 0;
      for (let e = 0; e < round.localEpochs; e++) {
        const r = await trainer.trainEpoch({ batches: (epoch) => this.loader.epoch(epoch) });
        loss = r.loss;
        steps += r.steps;
      }
      const trained = this.currentWeights();
      if (policy === "keep")
        for (const [k, v] of optimizerStateToWeights(trainer.optimizer)) trained.set(k, v);
      return {
        weights: trained,
        metrics: { loss, steps, trainSeconds: (performance.now() - t0) / 1000, ...digests },
        numExamples: this.prepared.trainEntries.length,
      };
    } finally {
      trainer.dispose();
    }
  }

  async evaluate(weights: WeightSet, _round: number): Promise<Record<string, number>> {
    if (this.prepared.validation.length === 0) return {};
    this.load(splitOptimizerState(weights).model);
    const trainer = new Trainer(this.model, this.options);
    try {
      return validationMetrics(trainer.validate(this.prepared.validation));
    } finally {
      trainer.dispose();
    }
  }

  /** Frees the model's tensors and stops the loader's workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loader.close();
    this.model.dispose();
    this.teacher?.dispose();
  }

  /** ConDistFL's teacher: the round's starting (global) weights in a second model, frozen, in eval mode. */
  private teacherFor(weights: WeightSet): MultiHeadUNet {
    this.teacher ??= createSiteModel(this.config);
    const tensors = toTensors(weights);
    try {
      this.teacher.loadStateDict(tensors);
    } finally {
      dispose(tensors);
    }
    for (const [, p] of this.teacher.namedParameters()) p.requiresGrad = false;
    this.teacher.eval();
    return this.teacher;
  }

  /** The model's full state dict as plain data (copies). */
  private currentWeights(): WeightSet {
    return new Map([...this.model.stateDict()].map(([k, t]) => [k, tensorToData(t)]));
  }

  /** Loads a full weight set; every name of the model must be present (strict). */
  private load(weights: WeightSet): void {
    const tensors = toTensors(weights);
    try {
      this.model.loadStateDict(tensors);
    } finally {
      dispose(tensors);
    }
  }
}
