// The arms a study compares, by kind: how each is trained (alone, pooled, federated with which
// strategy) and shown. An experiment file names arms by kind, or as objects that rename them or
// set the strategy's knobs (several FedProx arms with different mu, for instance).
import type { StrategyConfig } from "../../federation/strategies/config.js";

export const ARM_KINDS = [
  "individual",
  "central",
  "central-marginal",
  "segviz-fedavg",
  "segviz-fedbn",
  "segviz-fedprox",
  "segviz-fedadam",
] as const;

export type ArmKindName = (typeof ARM_KINDS)[number];

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
};

interface ArmObject {
  kind: ArmKindName;
  name?: string;
  label?: string;
  proximalMu?: number;
  serverLearningRate?: number;
  tau?: number;
  lambdaExclusion?: number;
}

/** An arm as written in the experiment file (a kind, or an object; already schema-checked). */
export function resolveArm(value: string | Record<string, unknown>, field: string): ArmSpec {
  const o: ArmObject =
    typeof value === "string" ? { kind: value as ArmKindName } : (value as unknown as ArmObject);
  const kind = o.kind;
  const base = { kind, name: o.name ?? kind, label: o.label ?? LABELS[kind] };
  const only = (allowed: (keyof ArmObject)[]) => {
    for (const k of ["proximalMu", "serverLearningRate", "tau", "lambdaExclusion"] as const) {
      if (o[k] !== undefined && !allowed.includes(k))
        throw new Error(`${field}/${k}: not an option of a '${kind}' arm`);
    }
  };
  switch (kind) {
    case "individual":
      only([]);
      return { ...base, family: "individual" };
    case "central":
      only([]);
      return { ...base, family: "central", centralLoss: "naive" };
    case "central-marginal":
      only(["lambdaExclusion"]);
      return {
        ...base,
        family: "central",
        centralLoss: "marginal-exclusion",
        lambdaExclusion: o.lambdaExclusion ?? 1,
      };
    case "segviz-fedavg":
      only([]);
      // Head-local FedAvg: every body tensor (BatchNorm included) is averaged, heads never leave.
      return { ...base, family: "federated", strategy: { name: "segviz" } };
    case "segviz-fedbn":
      only([]);
      return { ...base, family: "federated", strategy: { name: "fedbn", headLocal: true } };
    case "segviz-fedprox":
      only(["proximalMu"]);
      return {
        ...base,
        family: "federated",
        strategy: { name: "fedprox", headLocal: true, proximalMu: o.proximalMu ?? 0.01 },
      };
    case "segviz-fedadam":
      only(["serverLearningRate", "tau"]);
      return {
        ...base,
        family: "federated",
        strategy: {
          name: "fedadam",
          headLocal: true,
          serverLearningRate: o.serverLearningRate ?? 0.01,
          tau: o.tau ?? 1e-3,
        },
      };
  }
}
