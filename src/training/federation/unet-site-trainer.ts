// The federation's SiteTrainer for a real site: the site's multi-head UNet and Trainer, built from
// its SiteConfig, behind the interface the federation's site client drives. The federation layer
// never sees the UNet; it hands this adapter full weight sets named as the model's state dict
// (body model.0.* / model.1.*, heads heads.<task>.*) and takes full weight sets back.
//
// Each round starts from the weights the site client passes in (the coordinator's shared tensors
// merged over this site's own local ones) with a fresh Adam state, and its epochs are numbered
// (round - 1) * localEpochs onwards, so a round's result depends only on its inputs: a site that
// restarts and receives the same weights trains to the same result.
import type { PatchLoader } from "../../data/pipeline/patch-loader.js";
import { setNumThreads, type Tensor } from "../../engine/index.js";
import type {
  SiteDescriptionForTrainer,
  SiteTrainer,
  TrainingResult,
  TrainingRound,
} from "../../federation/site/site-trainer.js";
import { weightSetDigest } from "../../federation/weights/weight-digest.js";
import type { WeightSet } from "../../federation/weights/weight-set.js";
import { dataToTensor, tensorToData } from "../../nn/checkpoint.js";
import type { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { SiteConfig } from "../config/site-config.js";
import { createSitePatchLoader, type PreparedSite, prepareSite } from "../site/prepare-site.js";
import { createSiteModel, siteTrainerOptions } from "../site/run-site-training.js";
import { Trainer } from "../trainer/trainer.js";
import type { TrainerOptions, ValidationResult } from "../trainer/types.js";

export interface UNetSiteTrainerOptions {
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
export function validationMetrics(r: ValidationResult): Record<string, number> {
  const out: Record<string, number> = { meanDice: r.meanDice };
  for (const [organ, d] of Object.entries(r.dice)) out[`dice.${organ}`] = d;
  return out;
}

export class UNetSiteTrainer implements SiteTrainer {
  private readonly initial: WeightSet;
  private readonly options: TrainerOptions;
  private closed = false;

  private constructor(
    readonly config: SiteConfig,
    readonly model: MultiHeadUNet,
    private readonly prepared: PreparedSite,
    private readonly loader: PatchLoader,
    opts: UNetSiteTrainerOptions,
  ) {
    this.initial = this.currentWeights();
    this.options = { ...siteTrainerOptions(config), log: opts.log, progress: false };
  }

  /** Prepares the site's data (cache, split) and builds its seeded model and patch loader. */
  static async create(config: SiteConfig, opts: UNetSiteTrainerOptions = {}): Promise<UNetSiteTrainer> {
    setNumThreads(config.training.threads);
    const prepared = await prepareSite(config);
    const model = createSiteModel(config, opts.initSeed ?? config.training.seed);
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
    this.load(weights);
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
      return {
        weights: this.currentWeights(),
        metrics: { loss, steps, trainSeconds: (performance.now() - t0) / 1000, ...digests },
        numExamples: this.prepared.trainEntries.length,
      };
    } finally {
      trainer.dispose();
    }
  }

  async evaluate(weights: WeightSet, _round: number): Promise<Record<string, number>> {
    if (this.prepared.validation.length === 0) return {};
    this.load(weights);
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
