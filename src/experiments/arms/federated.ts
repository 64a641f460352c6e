// The SegViz arms: the sites train in a federation run by the real runtime (a coordinator and one
// process per site, gRPC over loopback, per-site tokens), the body aggregated by the arm's strategy
// and each site's head kept local. Afterwards each site's model is its own local tensors over the
// final shared ones; optionally its head is fine-tuned alone (the study's last 150 epochs).
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setNumThreads } from "../../engine/index.js";
import {
  acceptedSiteRounds,
  completedRounds,
  type FederationOutcome,
  initialModelFromFile,
  initialModelOfSites,
  type RoundLogRecord,
  type SimulationConfig,
  simulate,
  splitOptimizerState,
  UNET_TRAINER_MODULE,
  type WeightSet,
} from "../../federation/index.js";
import { dataToTensor, tensorToData } from "../../nn/checkpoint.js";
import type { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import { createSitePatchLoader, prepareSite } from "../../training/site/prepare-site.js";
import {
  createSiteModel,
  saveMonaiHead,
  siteTrainerOptions,
  toEngineOrder,
} from "../../training/site/run-site-training.js";
import { recalibrateBatchNorm } from "../../training/trainer/recalibrate-batch-norm.js";
import { Trainer } from "../../training/trainer/trainer.js";
import { logEvent, progress } from "../../util/progress.js";
import type { ArmSpec } from "../config/arms.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import type { CurveSeries, SharingEvidence } from "../report/report-types.js";
import { experimentSiteConfig } from "./site-config.js";
import { experimentSiteVolumes } from "./site-volumes.js";
import type { TrainedArm } from "./trained-arm.js";

/** The head of a ConDistFL model: background and every organ of the experiment. */
const CONDIST_TASK = "all";

/** A private arm's spent budget after its last round, as the coordinator's accountant logged it. */
function privacyEvidence(arm: ArmSpec, outcome: FederationOutcome): TrainedArm["privacy"] {
  if (arm.differentialPrivacy === undefined && arm.secureAggregation !== true) return undefined;
  const last = completedRounds(outcome.records).at(-1)?.privacy;
  return {
    secureAggregation: arm.secureAggregation === true,
    ...(last !== undefined && {
      epsilon: last.epsilon,
      delta: last.delta,
      noiseMultiplier: arm.differentialPrivacy!.noiseMultiplier,
      finalClipNorm: last.nextClipNorm,
      noise: arm.secureAggregation === true ? ("distributed" as const) : ("central" as const),
    }),
  };
}

/** What the round log and the weights prove was shared. */
function sharingEvidence(
  outcome: FederationOutcome,
  initial: WeightSet,
  localPerSite: Record<string, number>,
): SharingEvidence {
  const rounds = completedRounds(outcome.records);
  let changed = false;
  let parameters = 0;
  for (const [name, t] of outcome.shared) {
    parameters += t.shape.reduce((a, b) => a * b, 1);
    const before = initial.get(name);
    if (before === undefined) continue;
    const a = t.data as ArrayLike<number>;
    const b = before.data as ArrayLike<number>;
    for (let i = 0; i < a.length && !changed; i++) if (a[i] !== b[i]) changed = true;
  }
  const { completedRounds: done, roundsVerified } = outcome.verification;
  return {
    rounds: done,
    sharedTensors: outcome.shared.size,
    sharedParameters: parameters,
    localTensorsPerSite: localPerSite,
    sharedIdenticalAcrossSites: done > 0 && roundsVerified === done,
    roundsVerified,
    bodyChangedFromInitial: changed,
    bytesIn: rounds.reduce((s, r) => s + r.bytesIn, 0),
    bytesOut: rounds.reduce((s, r) => s + r.bytesOut, 0),
  };
}

/** Each site's training loss per round, from the round log. */
function roundCurves(records: readonly RoundLogRecord[], sites: readonly string[]): CurveSeries[] {
  const siteRounds = acceptedSiteRounds(records);
  return sites.map((site) => ({
    name: site,
    x: "round" as const,
    points: siteRounds
      .filter((r) => r.site === site && typeof r.metrics?.loss === "number")
      .sort((a, b) => a.round - b.round)
      .map((r) => ({ x: r.round, loss: r.metrics!.loss! })),
  }));
}

/** Fine-tunes only the head for `epochs` more epochs (body frozen), as the study's last stage. */
async function fineTuneHead(cfg: SiteTrainingConfig, trainer: Trainer, epochs: number): Promise<void> {
  const loader = await createSitePatchLoader(cfg, await prepareSite(cfg));
  try {
    const target = trainer.epoch + epochs;
    while (trainer.epoch < target) await trainer.trainEpoch({ batches: (e) => loader.epoch(e) });
  } finally {
    await loader.close();
  }
}

/** The sites' training configs for this arm (ConDistFL: one all-organ head and the central window). */
function federationSiteConfigs(exp: ExperimentConfig, arm: ArmSpec, dir: string): SiteTrainingConfig[] {
  const perSite = Math.max(1, Math.floor(exp.threads / exp.sites.length));
  const condist = arm.kind === "condistfl";
  return exp.sites.map((site) => {
    const cfg = experimentSiteConfig(exp, site, {
      window: condist ? exp.centralWindow : site.window,
      outDir: join(dir, "sites", site.name),
      threads: perSite,
    });
    if (!condist) return cfg;
    return {
      ...cfg,
      heads: [{ task: CONDIST_TASK, organs: [...exp.organs] }],
      training: { ...cfg.training, loss: "condist" as const },
    };
  });
}

/** A coordinator and one process per site over loopback, with fresh per-site tokens. */
function simulationConfig(
  exp: ExperimentConfig,
  arm: ArmSpec,
  configs: readonly SiteTrainingConfig[],
  dir: string,
  rounds: number,
): SimulationConfig {
  const t = exp.training;
  const coordinatorDir = join(dir, "coordinator");
  const tokens = configs.map(() => randomBytes(24).toString("hex"));
  return {
    coordinator: {
      rounds,
      strategy: {
        ...arm.strategy!,
        localEpochs: arm.roundEpochs ?? t.roundEpochs,
        options: {
          ...arm.strategy!.options,
          optimizerState: arm.optimizerState ?? t.optimizerState,
          rounds: String(rounds),
        },
      },
      sites: configs.map((c, i) => ({ id: c.site, token: tokens[i] })),
      // The coordinator starts from the experiment's weights file, or draws the starting model
      // with the sites' seed (bit-identical to the body each site draws); never a site's choice.
      initialModel:
        exp.initialWeights !== undefined
          ? initialModelFromFile(exp.initialWeights)
          : initialModelOfSites(configs, exp.seed),
      minSitesToStart: configs.length,
      minSitesToClose: configs.length,
      // A private arm: the sites' sum only (one site may drop per round), and DP-FedAvg.
      ...(arm.secureAggregation === true && {
        secureAggregation: { threshold: Math.max(2, configs.length - 1) },
      }),
      ...(arm.differentialPrivacy !== undefined && { differentialPrivacy: arm.differentialPrivacy }),
      ...(arm.transferDtype !== undefined && { transfer: { dtype: arm.transferDtype } }),
      checkpointDir: coordinatorDir,
      // An interrupted arm continues from its last complete round; one that already finished is
      // not restarted (simulate reads its outcome back).
      resume: true,
      roundLogFile: join(coordinatorDir, "rounds.jsonl"),
      logFile: join(coordinatorDir, "coordinator.log"),
    },
    threadsPerSite: Math.max(1, Math.floor(exp.threads / exp.sites.length)),
    stdio: "ignore",
    sites: configs.map((c, i) => ({
      config: {
        siteId: c.site,
        token: tokens[i],
        stateDir: join(c.outDir, "state"),
        logFile: join(c.outDir, "site.log"),
      },
      trainer: { module: UNET_TRAINER_MODULE, options: { site: c, initSeed: exp.seed } },
    })),
  };
}

/** Runs (or resumes) the arm's federation to its last round and returns its outcome. */
async function runArmFederation(
  arm: ArmSpec,
  simulation: SimulationConfig,
  dir: string,
): Promise<FederationOutcome> {
  const rounds = simulation.coordinator.rounds;
  await mkdir(simulation.coordinator.checkpointDir!, { recursive: true });
  const bar = progress(`${arm.name}: federation rounds`, rounds);
  let result: Awaited<ReturnType<typeof simulate>>;
  try {
    result = await simulate({ ...simulation, onRoundCompleted: (n) => bar.update(n) });
  } finally {
    bar.finish();
  }
  const failed = result.sites.filter((s) => !result.alreadyFinished && s.exitCode !== 0);
  if (result.completedRounds !== rounds || failed.length > 0 || result.outcome === undefined) {
    throw new Error(
      `arm ${arm.name}: the federation completed ${result.completedRounds} of ${rounds} rounds${failed
        .map((s) => `; site ${s.siteId} exited ${s.exitCode}${s.error ? `: ${s.error}` : ""}`)
        .join("")} (logs in ${dir})`,
    );
  }
  return result.outcome;
}

/**
 * One member of the arm from a site's merged weights: BatchNorm statistics recomputed on the site's
 * own data (ConDistFL's one model on every site's) when asked, then the head fine-tuned alone,
 * then saved. Returns the checkpoint folder and the MONAI-loadable export.
 */
async function finishMember(
  exp: ExperimentConfig,
  arm: ArmSpec,
  configs: readonly SiteTrainingConfig[],
  siteIndex: number,
  model: MultiHeadUNet,
  dir: string,
): Promise<{ final: string; exported: string }> {
  const t = exp.training;
  const condist = arm.kind === "condistfl";
  const cfg = configs[siteIndex]!;
  const siteCfg = { ...cfg, training: { ...cfg.training, threads: exp.threads } };
  if (t.recalibrateBatchNorm) {
    // A site measures its own data; ConDistFL's one model is measured on every site's, which in a
    // deployment is one more round of summed statistics.
    const volumes = [];
    for (const [s, c] of configs.entries())
      if (condist || s === siteIndex)
        volumes.push(
          ...(await experimentSiteVolumes(
            exp,
            s,
            [c.preprocess.window.aMin, c.preprocess.window.aMax],
            c.outDir,
          )),
        );
    recalibrateBatchNorm(model, (x) => model.forwardAll(x), volumes, toEngineOrder(exp.augment.patchSize));
  }
  const fineTune = !condist && t.headFineTuneEpochs > 0;
  const trainer = new Trainer(model, {
    ...siteTrainerOptions(siteCfg, { progress: true }),
    trainOnly: fineTune ? ["heads."] : undefined,
  });
  try {
    trainer.epoch = t.epochs;
    if (fineTune) await fineTuneHead(siteCfg, trainer, t.headFineTuneEpochs);
    const final = join(condist ? dir : cfg.outDir, "final");
    await trainer.saveCheckpoint(final);
    return {
      final,
      exported: await saveMonaiHead(condist ? dir : cfg.outDir, model, cfg.heads[0]!, exp.model),
    };
  } finally {
    trainer.dispose();
  }
}

export async function trainFederatedArm(
  exp: ExperimentConfig,
  arm: ArmSpec,
  dir: string,
): Promise<TrainedArm> {
  const t0 = performance.now();
  const t = exp.training;
  const rounds = t.epochs / (arm.roundEpochs ?? t.roundEpochs);
  const condist = arm.kind === "condistfl";
  const configs = federationSiteConfigs(exp, arm, dir);
  for (const c of configs) await mkdir(c.outDir, { recursive: true });
  logEvent({
    event: "arm.federation",
    arm: arm.name,
    strategy: arm.strategy!.name,
    rounds,
    sites: configs.length,
  });
  const outcome = await runArmFederation(arm, simulationConfig(exp, arm, configs, dir, rounds), dir);

  // Each site's final model: its own local tensors (saved after its last round) with the final
  // shared ones, as the federation merged them. ConDistFL shares everything, so its one global
  // model is the arm's only member.
  setNumThreads(exp.threads);
  const members: string[] = [];
  const exports: string[] = [];
  const localPerSite: Record<string, number> = {};
  let initial: WeightSet | undefined;
  for (const [siteIndex, cfg] of configs.entries()) {
    const site = outcome.sites[siteIndex]!;
    // The model's tensors; the optimiser state a site may carry between rounds is not the model.
    localPerSite[cfg.site] = splitOptimizerState(site.local).model.size;
    if (condist && siteIndex > 0) continue;
    const model = createSiteModel({ ...cfg, training: { ...cfg.training, threads: exp.threads } }, exp.seed);
    try {
      initial ??= new Map([...model.stateDict()].map(([k, v]) => [k, tensorToData(v)]));
      const merged = new Map(
        [...splitOptimizerState(site.merged).model].map(([k, d]) => [k, dataToTensor(d)]),
      );
      try {
        model.loadStateDict(merged);
      } finally {
        for (const v of merged.values()) v.dispose();
      }
      const { final, exported } = await finishMember(exp, arm, configs, siteIndex, model, dir);
      members.push(final);
      exports.push(exported);
    } finally {
      model.dispose();
    }
  }
  const sites = configs.map((c) => c.site);
  return {
    name: arm.name,
    members,
    exports,
    curves: roundCurves(outcome.records, sites),
    trainSeconds: (performance.now() - t0) / 1000,
    loss: condist ? "condist" : t.loss,
    strategy: condist ? "condistfl" : arm.strategy!.name,
    sharing: sharingEvidence(outcome, initial!, localPerSite),
    privacy: privacyEvidence(arm, outcome),
  };
}
