// A finished study arm as a model to predict with (`segviz predict --model STUDY/arms/ARM`): its
// members (arm.json), and the study's own inference settings (experiment.json two folders up):
// sliding window, fusion rule and threshold, device. Prediction then goes through the same
// ensemble path as the study's external test, so it reproduces the study's prediction files.
import { existsSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import type { FusionRule } from "../../training/inference/fuse-heads.js";
import {
  checkSharedGrid,
  type EnsembleMember,
  type EnsembleSettings,
} from "../../training/predict/predict-ensemble.js";
import { loadTrainedArm } from "../arms/trained-arm.js";
import { loadExperimentConfig } from "../config/experiment-config.js";
import { armModelsFor, disposeArmModels } from "./arm-models.js";
import { thresholdsOf } from "./calibrate-members.js";
import { loadArmModels } from "./external-test.js";
import { studySlidingWindow } from "./study-sliding-window.js";

export interface StudyArm {
  name: string;
  /** The study's organ vocabulary: label i is organs[i - 1]. */
  organs: string[];
  members: EnsembleMember[];
  settings: EnsembleSettings;
  rule: FusionRule;
  dispose(): void;
}

/**
 * A member folder as recorded in arm.json, found under `armDir` wherever the study folder now is:
 * the part after `arms/<arm>/` is kept (a study folder may have been moved or copied).
 */
function memberIn(armDir: string, name: string, recorded: string): string {
  const marker = `${sep}arms${sep}${name}${sep}`;
  const at = resolve(recorded).lastIndexOf(marker);
  return at < 0 ? resolve(recorded) : join(armDir, resolve(recorded).slice(at + marker.length));
}

/** The study's config (its outDir where the study folder now is), the arm, and its member folders. */
async function locateArm(dir: string) {
  const armDir = resolve(dir);
  const name = basename(armDir);
  const studyDir = resolve(armDir, "..", "..");
  const experimentFile = join(studyDir, "experiment.json");
  if (!existsSync(experimentFile))
    throw new Error(`${dir}: not a study arm (no experiment.json in ${studyDir}; expected STUDY/arms/<arm>)`);
  const exp = { ...(await loadExperimentConfig(experimentFile)), outDir: studyDir };
  const arm = exp.arms.find((a) => a.name === name);
  if (arm === undefined)
    throw new Error(
      `${dir}: ${experimentFile} has no arm named ${JSON.stringify(name)} (arms: ${exp.arms.map((a) => a.name).join(", ")})`,
    );
  const trained = await loadTrainedArm(armDir);
  if (trained === undefined) throw new Error(`${dir}: the arm has not finished training (no arm.json)`);
  const members = trained.members.map((m) => memberIn(armDir, name, m));
  for (const m of members) if (!existsSync(m)) throw new Error(`${dir}: member checkpoint ${m} is missing`);
  return { exp, arm, name, trained, members };
}

/** The study, the arm, and its member models as trained (for export: no recalibration, no calibration). */
export async function openStudyArmMembers(dir: string) {
  const { exp, arm, name, members } = await locateArm(dir);
  return { exp, arm, name, members: (await loadArmModels(name, members, "cpu")).members };
}

export async function openStudyArm(dir: string): Promise<StudyArm> {
  const { exp, arm, name, trained, members } = await locateArm(dir);
  const models = await armModelsFor(exp, arm, { ...trained, members });
  try {
    checkSharedGrid(models.members, `arm ${name}`);
  } catch (e) {
    disposeArmModels([models]);
    throw e;
  }
  return {
    name,
    organs: exp.organs,
    members: models.members.map((predictor, i) => ({
      predictor,
      thresholds: thresholdsOf(models.calibration?.[i]),
    })),
    settings: {
      slidingWindow: studySlidingWindow(exp),
      threshold: exp.inference.threshold,
      device: exp.device,
    },
    rule: exp.inference.fusion,
    dispose: () => disposeArmModels([models]),
  };
}
