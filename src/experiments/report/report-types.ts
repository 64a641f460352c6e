// The study's report as plain data: report.json is exactly this object, and report.html and the
// terminal table are rendered from it (nothing in them is computed elsewhere).

import type { DatasetFingerprint } from "../../data/datasets/fingerprint.js";
import type { ProgramVersion } from "../../util/program-version.js";

/** Mean, sample standard deviation (n - 1) and count over the cases where a score is defined. */
export interface SummaryStat {
  mean: number | null;
  std: number | null;
  n: number;
}

export interface CaseResult {
  /** Test case id (e.g. "img0001"). */
  caseId: string;
  /** Dice per organ of the fused label map; null where undefined (organ absent from both truth and prediction). */
  dice: Record<string, number | null>;
  /**
   * Dice per organ of the organ's own head alone, unfused (probability above the threshold): how the
   * study scored its per-organ models. Equal to `dice` for a single multi-class model.
   */
  diceHead: Record<string, number | null>;
  /**
   * Dice per organ of the fused label map under each fusion rule the evaluation compared (rule ->
   * organ -> Dice); `dice` is the configured rule's. Absent when only one rule was evaluated.
   */
  diceFusion?: Record<string, Record<string, number | null>>;
  /** 95th percentile Hausdorff distance in mm; null where undefined (either mask empty). */
  hd95: Record<string, number | null>;
  /** Prediction file (NIfTI, on the test image's own grid), relative to the report folder. */
  prediction: string;
}

/** One training curve: a site's (or the central model's) loss per epoch or per round. */
export interface CurveSeries {
  /** e.g. "site-liver" or "central". */
  name: string;
  /** What x counts: local epochs, or federation rounds. */
  x: "epoch" | "round";
  points: { x: number; loss: number }[];
}

/** Proof, from the weights themselves, of what a federated arm shared. */
export interface SharingEvidence {
  rounds: number;
  /** Tensors the coordinator aggregated (its global set), and how many values they hold (parameters and BatchNorm buffers). */
  sharedTensors: number;
  sharedParameters: number;
  /** Tensors each site kept local (heads; for FedBN also BatchNorm). */
  localTensorsPerSite: Record<string, number>;
  /**
   * In every round, every site's model held exactly the shared tensors the coordinator sent (a
   * digest of the tensors as loaded into the model, equal to the digest of those received), so
   * all sites started each round from the same shared weights.
   */
  sharedIdenticalAcrossSites: boolean;
  /** Rounds in which that was checked for every site (all rounds when the check holds). */
  roundsVerified: number;
  /** The final shared weights differ from the initial ones (the body was trained and merged). */
  bodyChangedFromInitial: boolean;
  /** Bytes the coordinator received and sent over gRPC, summed over rounds. */
  bytesIn: number;
  bytesOut: number;
}

/** What a private arm spent: site-level (epsilon, delta) from the RDP accountant after its last round. */
export interface PrivacyEvidence {
  secureAggregation: boolean;
  epsilon?: number;
  delta?: number;
  noiseMultiplier?: number;
  /** The clipping norm after the last round (it adapts with adaptive clipping). */
  finalClipNorm?: number;
  noise?: "central" | "distributed";
}

type ArmKind = "individual" | "central" | "federated";

export interface ArmReport {
  /** Identifier, e.g. "individual", "central", "central-marginal", "segviz-fedavg", "segviz-fedbn". */
  name: string;
  /** Display name, e.g. "SegViz (FedBN)". */
  label: string;
  kind: ArmKind;
  /** Federation strategy for federated arms (fedavg/segviz, fedbn, fedprox, fedadam). */
  strategy?: string;
  /** Loss used in training ("dice", "dicece", "marginal-exclusion"). */
  loss: string;
  trainSeconds: number;
  evalSeconds: number;
  perCase: CaseResult[];
  /** Per organ: Dice (fused), Dice of the organ's own head, and HD95 (fused) over the test cases. */
  summary: Record<string, { dice: SummaryStat; diceHead: SummaryStat; hd95: SummaryStat }>;
  curves: CurveSeries[];
  /** Checkpoint files (safetensors), relative to the report folder. */
  checkpoints: string[];
  sharing?: SharingEvidence;
  privacy?: PrivacyEvidence;
}

/** Paired Wilcoxon signed-rank test of one arm against the baseline on one organ's Dice. */
export interface Comparison {
  /** Which Dice: of the fused label map, or of the organ's own head. */
  metric: "dice" | "diceHead";
  arm: string;
  baseline: string;
  organ: string;
  nPairs: number;
  armMean: number;
  baselineMean: number;
  meanDifference: number;
  statistic: number;
  pValue: number;
  /** Holm-adjusted across the organs of this arm (per metric). */
  pHolm: number;
  significant: boolean;
}

/**
 * One axial slice of one test case for display, already oriented for viewing in the radiological
 * convention: rows run anterior (top) to posterior, columns patient right (left of the image) to
 * patient left. Pixel arrays are row-major, rows * cols long.
 */
export interface OverlaySlice {
  caseId: string;
  /** Index of the slice along the image's superior axis (in the test image's own voxel grid). */
  sliceIndex: number;
  rows: number;
  cols: number;
  /** Physical size of a pixel (row step, column step) in mm, for the aspect ratio. */
  pixelMm: [number, number];
  /** CT intensities in HU. */
  ct: number[];
  /** Ground-truth organ indices (0 background, i + 1 = organs[i]). */
  truth: number[];
  /** Predicted organ indices per arm name. */
  predictions: Record<string, number[]>;
}

import type { ReportedSkippedCase } from "../arms/skipped-cases.js";

export interface StudyReport {
  format: "segviz-study-report/1";
  title: string;
  createdAt: string;
  /** The command line that produced it. */
  command: string;
  machine: {
    platform: string;
    cpuModel: string;
    cpus: number;
    threads: number;
    node: string;
    libtorch: string;
  };
  /** What a rerun needs to be compared with this one: the program, the device, the seed, the inputs' contents. */
  provenance: {
    program: ProgramVersion;
    device: string;
    seed: number;
    inputs: { sites: Record<string, DatasetFingerprint>; test: DatasetFingerprint };
  };
  /** Organ vocabulary: index i + 1 in label maps is organs[i]. */
  organs: string[];
  /** trainingCases: the cases the arms trained on (listed, less those skipped). */
  sites: { name: string; organs: string[]; trainingCases: number; window: [number, number] }[];
  /** Per site, every training case left out (onBadCase "skip"), with the stage and the reason. */
  skipped: Record<string, ReportedSkippedCase[]>;
  testSet: { name: string; cases: string[] };
  /** The experiment settings as resolved (defaults filled in). */
  settings: Record<string, unknown>;
  arms: ArmReport[];
  /** Every arm except the baseline against it, per organ (Dice). */
  baseline: string;
  /** Significance level of the comparisons (applied to the Holm-adjusted p-values, two-sided). */
  alpha: number;
  comparisons: Comparison[];
  overlays: OverlaySlice[];
  seconds: { total: number; data: number; evaluation: number };
  /** Free-text caveats shown at the top of the report (e.g. "phantom data"). */
  notes: string[];
}
