// Per-head fusion thresholds, each calibrated on its own site's training data only (what a site
// could compute locally and ship with its head): the site's cached training volumes are predicted
// whole by sliding window and the threshold that maximises that head's Dice there is kept. The
// result is written next to the member's checkpoint (calibration.json) and reused afterwards.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readCacheEntry } from "../../data/cache/index.js";
import { Tensor, tidy } from "../../engine/index.js";
import { type CalibrationCase, calibrateThreshold } from "../../training/inference/calibrate-threshold.js";
import { predictVolume } from "../../training/inference/predict-volume.js";
import type { Predictor } from "../../training/predict/load-predictor.js";
import { volumeToEngineShape } from "../../training/site/prepare-site.js";
import { prepareExperimentSite } from "../arms/site-volumes.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import { studySlidingWindow } from "./study-sliding-window.js";

const CALIBRATION_FILE = "calibration.json";

/** Head task -> calibrated threshold (and the site's training Dice at it). */
export type MemberCalibration = Record<string, { threshold: number; dice: number }>;

/** The per-task thresholds of a calibration (the "calibrated" fusion rule's input). */
export function thresholdsOf(c: MemberCalibration | undefined): Record<string, number> | undefined {
  return c === undefined
    ? undefined
    : Object.fromEntries(Object.entries(c).map(([t, v]) => [t, v.threshold]));
}

/**
 * Thresholds for each binary head of a member trained on `exp.sites[siteIndex]` (individual and
 * federated arms list their members in site order); multi-class heads are left out.
 */
export async function calibrateMember(
  exp: ExperimentConfig,
  siteIndex: number,
  memberDir: string,
  predictor: Predictor,
): Promise<MemberCalibration> {
  // Thresholds depend on the BatchNorm statistics the model runs with: one file per variant.
  const file = join(
    memberDir,
    exp.evaluation.recalibrateBatchNorm
      ? CALIBRATION_FILE.replace(".json", "-bn-recalibrated.json")
      : CALIBRATION_FILE,
  );
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as MemberCalibration;
  const binary = predictor.heads.filter((h) => h.organIndices.length === 1);
  if (binary.length === 0) return {};
  const site = exp.sites[siteIndex];
  if (site === undefined) throw new Error(`calibration: no site ${siteIndex} for member ${memberDir}`);
  // The member's site folder holds its split; all of the site's training cases calibrate.
  const prepared = await prepareExperimentSite(exp, siteIndex, site.window, dirname(memberDir));
  const cases = new Map<string, CalibrationCase[]>(binary.map((h) => [h.task, []]));
  for (const entry of prepared.trainEntries) {
    const volumes = await readCacheEntry(entry.path);
    const image = volumes.image!;
    const label = volumes.label!.data as Uint8Array;
    const probs = tidy(() => {
      const input = Tensor.fromArray(image.data as Float32Array, [1, 1, ...volumeToEngineShape(image)]);
      const out = predictVolume(
        predictor.model,
        binary,
        input,
        studySlidingWindow(exp),
        exp.inference.threshold,
        exp.device,
      );
      out.labels.dispose();
      return new Map(
        binary.map((h) => [h.task, out.probabilities.get(h.task)!.narrow(1, 1, 1).toArray() as Float32Array]),
      );
    });
    for (const h of binary) {
      const organ = h.organIndices[0]!;
      cases.get(h.task)!.push({ probs: probs.get(h.task)!, label: label.map((v) => (v === organ ? 1 : 0)) });
    }
  }
  const result: MemberCalibration = {};
  for (const h of binary) result[h.task] = calibrateThreshold(cases.get(h.task)!);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
