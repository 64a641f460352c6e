// An arm's trained models made ready to predict, as the study evaluates them: each member loaded
// onto the study's device, its BatchNorm statistics recomputed on its own training data when the
// evaluation asks for it, and its heads' thresholds calibrated (or read back) for the
// "calibrated" fusion rule. The study and `segviz predict --model ARM` both come through here.
import { join } from "node:path";
import type { TrainedArm } from "../arms/trained-arm.js";
import type { ArmSpec } from "../config/arms.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import { calibrateMember } from "./calibrate-members.js";
import { type ArmModels, loadArmModels } from "./external-test.js";
import { recalibrateArm } from "./recalibrate-members.js";

export async function armModelsFor(
  exp: ExperimentConfig,
  arm: ArmSpec,
  trained: TrainedArm,
): Promise<ArmModels> {
  const rules = [exp.inference.fusion, ...exp.evaluation.fusionRules];
  const m = await loadArmModels(trained.name, trained.members, exp.device);
  try {
    if (exp.evaluation.recalibrateBatchNorm)
      await recalibrateArm(
        exp,
        trained.name,
        m.members,
        exp.sites.map((s) => join(exp.outDir, "arms", trained.name, "sites", s.name)),
      );
    // Per-site arms list one member per site, in site order; each calibrates on its own data.
    if (
      rules.includes("calibrated") &&
      arm.family !== "central" &&
      trained.members.length === exp.sites.length
    )
      m.calibration = await Promise.all(
        trained.members.map((dir, s) => calibrateMember(exp, s, dir, m.members[s]!)),
      );
  } catch (e) {
    disposeArmModels([m]);
    throw e;
  }
  return m;
}

export function disposeArmModels(models: readonly ArmModels[]): void {
  for (const m of models) for (const p of m.members) p.model.dispose();
}
