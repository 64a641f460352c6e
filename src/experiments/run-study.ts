// A study from its experiment config: every arm trained on the same data and budget (or reused
// from a finished earlier run with `resume`), all evaluated the same way on the external test set,
// paired Wilcoxon tests against the baseline with Holm's correction across organs, and the report
// (report.json, report.html, the terminal table) written to the output folder.
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, platform } from "node:os";
import { join, relative } from "node:path";
import { fingerprintCases } from "../data/datasets/fingerprint.js";
import { listCases } from "../data/datasets/list-cases.js";
import { buildInfo } from "../engine/index.js";
import { summarise } from "../training/metrics/index.js";
import { programVersion } from "../util/program-version.js";
import { logEvent } from "../util/progress.js";
import { trainCentralArm } from "./arms/central.js";
import { trainFederatedArm } from "./arms/federated.js";
import { trainIndividualArm } from "./arms/individual.js";
import { pruneFinishedArm } from "./arms/prune-finished-arm.js";
import { skippedCasesBySite } from "./arms/skipped-cases.js";
import { loadTrainedArm, saveTrainedArm, type TrainedArm } from "./arms/trained-arm.js";
import type { ArmSpec } from "./config/arms.js";
import type { ExperimentConfig } from "./config/experiment-config.js";
import { experimentRecord } from "./config/experiment-record.js";
import { armModelsFor, disposeArmModels } from "./evaluation/arm-models.js";
import { type ArmEvaluation, type ArmModels, evaluateArms } from "./evaluation/external-test.js";
import {
  formatDiceTable,
  formatHd95Table,
  formatHeadDiceTable,
  formatPrivacyTable,
  renderReportHtml,
} from "./report/index.js";
import type { ArmReport, CaseResult, Comparison, StudyReport, SummaryStat } from "./report/report-types.js";
import { type CaseScore, compareArmsToBaseline } from "./statistics/index.js";

export interface StudyOptions {
  /** Reuse arms whose training finished in an earlier run (arms/<name>/arm.json). */
  resume?: boolean;
  /** Keep every finished arm's optimiser state and older federation rounds (default: models only). */
  keepAll?: boolean;
  title?: string;
  command?: string;
  notes?: string[];
  /** Seconds spent making the data before the study (the demo's phantoms). */
  dataSeconds?: number;
  /** Where the table goes (stdout by default); null prints nothing. */
  print?: ((text: string) => void) | null;
}

function trainArm(exp: ExperimentConfig, arm: ArmSpec, dir: string): Promise<TrainedArm> {
  if (arm.family === "individual") return trainIndividualArm(exp, arm, dir);
  if (arm.family === "central") return trainCentralArm(exp, arm, dir);
  return trainFederatedArm(exp, arm, dir);
}

function stat(values: readonly (number | null)[]): SummaryStat {
  const s = summarise(values.map((v) => (v === null ? Number.NaN : v)));
  return { mean: s.n > 0 ? s.mean : null, std: s.n > 1 ? s.std : null, n: s.n };
}

function armSummary(organs: readonly string[], perCase: readonly CaseResult[]): ArmReport["summary"] {
  return Object.fromEntries(
    organs.map((o) => [
      o,
      {
        dice: stat(perCase.map((c) => c.dice[o] ?? null)),
        diceHead: stat(perCase.map((c) => c.diceHead[o] ?? null)),
        hd95: stat(perCase.map((c) => c.hd95[o] ?? null)),
      },
    ]),
  );
}

function diceScores(perCase: readonly CaseResult[], metric: "dice" | "diceHead"): CaseScore[] {
  return perCase.flatMap((c) =>
    Object.entries(c[metric]).map(([organ, v]) => ({
      caseId: c.caseId,
      organ,
      value: v === null ? Number.NaN : v,
    })),
  );
}

/** Trains every arm in turn, or reuses one a previous run finished (with `resume`). */
async function trainArms(exp: ExperimentConfig, resume: boolean, keepAll: boolean): Promise<TrainedArm[]> {
  const trained: TrainedArm[] = [];
  for (const arm of exp.arms) {
    const dir = join(exp.outDir, "arms", arm.name);
    const previous = resume ? await loadTrainedArm(dir) : undefined;
    if (previous !== undefined) {
      logEvent({ event: "arm.reused", arm: arm.name, trainSeconds: previous.trainSeconds });
      trained.push(previous);
      continue;
    }
    // A fresh run must not pick up another run's checkpoints or federation state.
    if (!resume && existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    logEvent({ event: "arm.start", arm: arm.name, family: arm.family });
    const result = await trainArm(exp, arm, dir);
    await saveTrainedArm(dir, result);
    logEvent({ event: "arm.trained", arm: arm.name, seconds: Math.round(result.trainSeconds) });
    if (!keepAll) logEvent({ event: "arm.pruned", arm: arm.name, bytes: await pruneFinishedArm(dir) });
    trained.push(result);
  }
  return trained;
}

/**
 * Each arm's models loaded for the external test, with their BatchNorm statistics recomputed and
 * their heads' thresholds calibrated when the evaluation settings ask for it.
 */
async function armModels(exp: ExperimentConfig, trained: readonly TrainedArm[]): Promise<ArmModels[]> {
  const models: ArmModels[] = [];
  try {
    for (const [i, a] of trained.entries()) models.push(await armModelsFor(exp, exp.arms[i]!, a));
  } catch (e) {
    disposeArmModels(models);
    throw e;
  }
  return models;
}

/** Each arm's section of the report: its training record and its external-test results. */
function armReports(
  exp: ExperimentConfig,
  trained: readonly TrainedArm[],
  evaluations: readonly ArmEvaluation[],
): ArmReport[] {
  return exp.arms.map((spec, i) => {
    const t = trained[i]!;
    const e = evaluations[i]!;
    return {
      name: spec.name,
      label: spec.label,
      kind: spec.family,
      strategy: t.strategy,
      loss: t.loss,
      trainSeconds: t.trainSeconds,
      evalSeconds: e.seconds,
      perCase: e.perCase,
      summary: armSummary(exp.organs, e.perCase),
      curves: t.curves,
      checkpoints: t.exports.map((f) => relative(exp.outDir, f)),
      sharing: t.sharing,
      privacy: t.privacy,
    };
  });
}

/** Every arm against the baseline, per organ, for the fused and the per-head Dice. */
function comparisons(exp: ExperimentConfig, arms: readonly ArmReport[]): Comparison[] {
  return (["dice", "diceHead"] as const).flatMap((metric) =>
    compareArmsToBaseline(new Map(arms.map((a) => [a.name, diceScores(a.perCase, metric)])), exp.baseline, {
      organs: exp.organs,
    }).map((c) => ({
      metric,
      arm: c.arm,
      baseline: c.baseline,
      organ: c.organ,
      nPairs: c.nPairs,
      armMean: c.armMean,
      baselineMean: c.baselineMean,
      meanDifference: c.meanDifference,
      statistic: c.test.statistic,
      pValue: c.test.pValue,
      pHolm: c.pHolm,
      significant: c.pHolm < exp.evaluation.alpha,
    })),
  );
}

function machine(exp: ExperimentConfig): StudyReport["machine"] {
  const b = buildInfo();
  return {
    platform: `${platform()} ${process.arch}`,
    cpuModel: cpus()[0]?.model ?? "unknown",
    cpus: availableParallelism(),
    threads: exp.threads,
    node: process.version,
    libtorch: `${b.torchVersion}${b.cuda ? " (CUDA)" : ""}`,
  };
}

async function writeReport(report: StudyReport, out: string, opts: StudyOptions): Promise<void> {
  await writeFile(join(out, "report.json"), `${JSON.stringify(report, null, 1)}\n`);
  await writeFile(join(out, "report.html"), renderReportHtml(report));
  const print = opts.print === undefined ? (s: string) => process.stdout.write(`${s}\n`) : opts.print;
  const privacyTable = formatPrivacyTable(report);
  print?.(
    `${formatDiceTable(report)}\n\n${formatHeadDiceTable(report)}\n\n${formatHd95Table(report)}${privacyTable === "" ? "" : `\n\n${privacyTable}`}`,
  );
}

export async function runStudy(exp: ExperimentConfig, opts: StudyOptions = {}): Promise<StudyReport> {
  const t0 = performance.now();
  const out = exp.outDir;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "experiment.json"), `${JSON.stringify(experimentRecord(exp), null, 2)}\n`);
  const listed = await listCases(exp.test.data, { requireLabels: true, onBadCase: "stop" });
  const cases = exp.test.maxCases === null ? listed.cases : listed.cases.slice(0, exp.test.maxCases);
  const siteLists = await Promise.all(
    exp.sites.map((s) =>
      listCases(s.data, { requireLabels: true, onBadCase: exp.onBadCase === "fail" ? "stop" : "skip" }),
    ),
  );
  const siteCases = siteLists.map((l) => l.cases.length);
  const inputs = {
    sites: Object.fromEntries(
      await Promise.all(exp.sites.map(async (s, i) => [s.name, await fingerprintCases(siteLists[i]!)])),
    ),
    test: await fingerprintCases({ cases, bad: listed.bad }),
  };
  const trained = await trainArms(exp, opts.resume === true, opts.keepAll === true);

  const tEval = performance.now();
  const models = await armModels(exp, trained);
  let evaluated: Awaited<ReturnType<typeof evaluateArms>>;
  try {
    evaluated = await evaluateArms(exp, models, cases, out);
  } finally {
    disposeArmModels(models);
  }
  const evaluationSeconds = (performance.now() - tEval) / 1000;

  const arms = armReports(exp, trained, evaluated.evaluations);
  const skipped = await skippedCasesBySite(exp);
  // Cases left out at listing are already not counted; those that failed preprocessing are.
  const preprocessingSkipped = (site: string) =>
    skipped[site]!.filter((s) => s.stage === "preprocessing").length;
  const report: StudyReport = {
    format: "segviz-study-report/1",
    title: opts.title ?? `SegViz study: ${exp.name}`,
    createdAt: new Date().toISOString(),
    command: opts.command ?? process.argv.slice(1).join(" "),
    machine: machine(exp),
    provenance: { program: programVersion(), device: exp.device, seed: exp.seed, inputs },
    organs: exp.organs,
    sites: exp.sites.map((s, i) => ({
      name: s.name,
      organs: s.organs,
      trainingCases: siteCases[i]! - preprocessingSkipped(s.name),
      window: s.window,
    })),
    skipped,
    testSet: { name: exp.test.name, cases: cases.map((c) => c.id) },
    settings: experimentRecord(exp),
    arms,
    baseline: exp.baseline,
    alpha: exp.evaluation.alpha,
    comparisons: comparisons(exp, arms),
    overlays: evaluated.overlays,
    seconds: {
      total: (performance.now() - t0) / 1000 + (opts.dataSeconds ?? 0),
      data: opts.dataSeconds ?? 0,
      evaluation: evaluationSeconds,
    },
    notes: opts.notes ?? [],
  };
  await writeReport(report, out, opts);
  return report;
}
