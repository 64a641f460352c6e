// The arms a study compares, by kind: how each is trained (alone, pooled, federated with which
// strategy) and shown. An experiment file names arms by kind, or as objects that rename them or
// set the strategy's knobs (several FedProx arms with different mu, for instance).
import {
  DEFAULT_STATISTICS_PATTERNS,
  type DifferentialPrivacyConfig,
  type StrategyConfig,
  type WireDtype,
} from "../../federation/index.js";

export const ARM_KINDS = [
  "individual",
  "central",
  "central-marginal",
  "segviz-fedavg",
  "segviz-fedbn",
  "segviz-fedprox",
  "segviz-fedadam",
  "condistfl",
  "segviz-fedavg-dp",
] as const;

type ArmKindName = (typeof ARM_KINDS)[number];

export interface ArmSpec {
  kind: ArmKindName;
  /** Unique within the study; folder name under arms/. */
  name: string;
  label: string;
  family: "individual" | "central" | "federated";
  /** Federated arms: the coordinator's strategy (heads always stay at their site). */
  strategy?: StrategyConfig;
  /** Central arms: naive (unlabelled organs are background) or Shi et al.'s marginal + exclusion loss. */
  centralLoss?: "naive" | "marginal-exclusion";
  lambdaExclusion?: number;
  /** Federated arms: local epochs per round, overriding training.roundEpochs (an ablation knob). */
  roundEpochs?: number;
  /** Private arms: the coordinator's differential privacy, and whether secure aggregation is on. */
  differentialPrivacy?: DifferentialPrivacyConfig;
  secureAggregation?: boolean;
  /** Federated arms: whether a site's Adam state survives across rounds (default training.optimizerState). */
  optimizerState?: "keep" | "reset";
  /** Federated arms: the shared tensors' dtype on the wire (compressed updates), default float32. */
  transferDtype?: WireDtype;
  /** The arm as an experiment file writes it, every knob of its kind resolved (experiment-record.ts). */
  options: ArmOptions;
}

/** The study's comparison plus the fair central baseline it did not run. */
export const DEFAULT_ARMS: ArmKindName[] = [
  "individual",
  "central",
  "central-marginal",
  "segviz-fedavg",
  "segviz-fedbn",
];

const LABELS: Record<ArmKindName, string> = {
  individual: "Individual",
  central: "Central (naive)",
  "central-marginal": "Central (marginal+exclusion)",
  "segviz-fedavg": "SegViz (FedAvg)",
  "segviz-fedbn": "SegViz (FedBN)",
  "segviz-fedprox": "SegViz (FedProx)",
  "segviz-fedadam": "SegViz (FedAdam)",
  condistfl: "ConDistFL",
  "segviz-fedavg-dp": "SegViz (FedAvg, DP)",
};

/** An arm written as an object in the experiment file. */
export interface ArmOptions {
  kind: ArmKindName;
  name?: string;
  label?: string;
  proximalMu?: number;
  serverLearningRate?: number;
  tau?: number;
  lambdaExclusion?: number;
  roundEpochs?: number;
  optimizerState?: "keep" | "reset";
  weighting?: "uniform" | "cases";
  localStatistics?: boolean;
  /** Compressed updates: the shared tensors travel as float16 or bfloat16 (not with differential privacy). */
  transferDtype?: WireDtype;
  /** segviz-fedavg-dp: DP-FedAvg's noise multiplier z and (initial) clipping norm. */
  noiseMultiplier?: number;
  clipNorm?: number;
  /** segviz-fedavg-dp: adapt the clipping norm to the sites' median update norm (default true). */
  adaptiveClipping?: boolean;
  /** segviz-fedavg-dp: secure aggregation with noise added by the sites (default true), else central noise. */
  secureAggregation?: boolean;
}

/** Options of every federated arm. */
const federated = ["roundEpochs", "optimizerState", "weighting", "localStatistics", "transferDtype"] as const;

/** The options each kind accepts besides kind, name and label. */
const KIND_OPTIONS: Record<ArmKindName, readonly (keyof ArmOptions)[]> = {
  individual: [],
  central: [],
  "central-marginal": ["lambdaExclusion"],
  "segviz-fedavg": federated,
  "segviz-fedbn": federated,
  "segviz-fedprox": ["proximalMu", ...federated],
  "segviz-fedadam": ["serverLearningRate", "tau", ...federated],
  condistfl: federated,
  "segviz-fedavg-dp": [
    "noiseMultiplier",
    "clipNorm",
    "adaptiveClipping",
    "secureAggregation",
    ...federated.filter((k) => k !== "transferDtype"),
  ],
};

/** Every option some kind accepts. */
const ALL_OPTIONS = [...new Set(Object.values(KIND_OPTIONS).flat())];

/**
 * The arm's options with every default of its kind filled in, so the resolved arm can be written
 * back to an experiment file and read again to the same arm. roundEpochs and optimizerState stay
 * unset where the arm follows the experiment's training settings.
 */
function withDefaults(o: ArmOptions, field: string): ArmOptions {
  const kind = o.kind;
  const allowed = KIND_OPTIONS[kind];
  for (const k of ALL_OPTIONS) {
    if (o[k] !== undefined && !allowed.includes(k))
      throw new Error(`${field}/${k}: not an option of a '${kind}' arm`);
  }
  const out: ArmOptions = { kind, name: o.name ?? kind, label: o.label ?? LABELS[kind] };
  if (kind === "central-marginal") out.lambdaExclusion = o.lambdaExclusion ?? 1;
  if (kind === "segviz-fedprox") out.proximalMu = o.proximalMu ?? 0.01;
  if (kind === "segviz-fedadam") {
    out.serverLearningRate = o.serverLearningRate ?? 0.01;
    out.tau = o.tau ?? 1e-3;
  }
  if (kind === "segviz-fedavg-dp") {
    out.noiseMultiplier = o.noiseMultiplier ?? 1;
    out.clipNorm = o.clipNorm ?? 1;
    out.adaptiveClipping = o.adaptiveClipping ?? true;
    out.secureAggregation = o.secureAggregation ?? true;
  }
  if (allowed.includes("weighting")) {
    if (o.roundEpochs !== undefined) out.roundEpochs = o.roundEpochs;
    // ConDistFL's reference implementation carries each site's optimiser state across rounds.
    const optimizerState = o.optimizerState ?? (kind === "condistfl" ? "keep" : undefined);
    if (optimizerState !== undefined) out.optimizerState = optimizerState;
    // The study averaged unweighted; "cases" weights each site by its training cases.
    out.weighting = o.weighting ?? "uniform";
    out.localStatistics = o.localStatistics ?? false;
    if (o.transferDtype !== undefined && o.transferDtype !== "float32") out.transferDtype = o.transferDtype;
  }
  return out;
}

/** An arm as written in the experiment file (a kind, or an object; already schema-checked). */
export function resolveArm(value: string | Record<string, unknown>, field: string): ArmSpec {
  const o = withDefaults(
    typeof value === "string" ? { kind: value as ArmKindName } : (value as unknown as ArmOptions),
    field,
  );
  const base = { kind: o.kind, name: o.name!, label: o.label!, options: o };
  const fed = {
    family: "federated" as const,
    ...(o.roundEpochs !== undefined && { roundEpochs: o.roundEpochs }),
    ...(o.optimizerState !== undefined && { optimizerState: o.optimizerState }),
    ...(o.transferDtype !== undefined && { transferDtype: o.transferDtype }),
  };
  const weighting = o.weighting ?? "uniform";
  // BatchNorm running statistics measure a site's own (windowed) data; with localStatistics they
  // stay at the site while the BatchNorm weights are still averaged (SiloBN, Andreux et al. 2020).
  const share = o.localStatistics
    ? { share: { exclude: [...DEFAULT_STATISTICS_PATTERNS, "*.num_batches_tracked"] } }
    : {};
  switch (o.kind) {
    case "individual":
      return { ...base, family: "individual" };
    case "central":
      return { ...base, family: "central", centralLoss: "naive" };
    case "central-marginal":
      return {
        ...base,
        family: "central",
        centralLoss: "marginal-exclusion",
        lambdaExclusion: o.lambdaExclusion!,
      };
    case "segviz-fedavg":
      // Head-local FedAvg: every body tensor (BatchNorm included) is averaged, heads never leave.
      return { ...base, ...fed, strategy: { name: "segviz", weighting, ...share } };
    case "segviz-fedbn":
      return { ...base, ...fed, strategy: { name: "fedbn", headLocal: true, weighting, ...share } };
    case "segviz-fedprox":
      return {
        ...base,
        ...fed,
        strategy: { name: "fedprox", headLocal: true, proximalMu: o.proximalMu!, weighting, ...share },
      };
    case "segviz-fedavg-dp":
      // SegViz FedAvg with site-level DP; integer counters stay local (clipping covers floats only).
      return {
        ...base,
        ...fed,
        strategy: {
          name: "segviz",
          weighting,
          share: { exclude: [...(share.share?.exclude ?? []), "*.num_batches_tracked"] },
        },
        secureAggregation: o.secureAggregation!,
        differentialPrivacy: {
          noiseMultiplier: o.noiseMultiplier!,
          clipNorm: o.clipNorm!,
          ...(o.adaptiveClipping ? { adaptiveClipping: {} } : {}),
        },
      };
    case "condistfl":
      // One model over every organ, all of it averaged (no local head); the loss does the rest.
      return { ...base, ...fed, strategy: { name: "fedavg", weighting, ...share } };
    case "segviz-fedadam":
      return {
        ...base,
        ...fed,
        strategy: {
          name: "fedadam",
          headLocal: true,
          serverLearningRate: o.serverLearningRate!,
          tau: o.tau!,
          weighting,
          ...share,
        },
      };
  }
}
