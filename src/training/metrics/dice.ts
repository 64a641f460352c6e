// Dice overlap of one organ between a predicted and a true label map: 2|P ∩ T| / (|P| + |T|).
//
// What an empty mask scores is a convention, and papers differ; three are offered, each quoted
// in the reports that use it (DICE_EMPTY_RULES):
// - "segviz" (the default): both empty -> NaN ("not applicable": the case says nothing about the
//   model for that organ; excluded from means, counted as n_empty); truth empty but prediction
//   not -> 0 (a false positive is an error); truth present, prediction empty -> 0.
// - "ignore-empty" (MONAI's DiceMetric default, ignore_empty=True): truth empty -> NaN, whatever
//   the prediction, so false positives on cases without the organ are not counted.
// - "include-empty" (MONAI's ignore_empty=False): truth empty -> 1 if the prediction is empty
//   too, else 0.

import { checkOrganId, type LabelVoxels } from "./organ-mask.js";

export type DiceEmptyRule = "segviz" | "ignore-empty" | "include-empty";
export const DICE_EMPTY_RULE_NAMES: readonly DiceEmptyRule[] = ["segviz", "ignore-empty", "include-empty"];

export const DICE_EMPTY_RULES: Readonly<Record<DiceEmptyRule, string>> = {
  segviz:
    "Dice: truth and prediction both empty -> NaN (not applicable; excluded from means, counted as n_empty); " +
    "truth empty but prediction non-empty -> 0 (false positive penalised); truth non-empty, prediction empty -> 0.",
  "ignore-empty":
    "Dice (MONAI ignore_empty=True): truth empty -> NaN whatever the prediction (excluded from means, counted " +
    "as n_empty); truth non-empty, prediction empty -> 0.",
  "include-empty":
    "Dice (MONAI ignore_empty=False): truth and prediction both empty -> 1; truth empty but prediction " +
    "non-empty -> 0; truth non-empty, prediction empty -> 0.",
};

/** The default rule's text. */
export const DICE_EMPTY_RULE = DICE_EMPTY_RULES.segviz;

/**
 * Dice of organ `organId` (default 1, for binary masks) between two label maps of the same voxel
 * count, with empty masks scored by `emptyRule` (default "segviz").
 */
export function diceScore(
  pred: LabelVoxels,
  truth: LabelVoxels,
  organId = 1,
  emptyRule: DiceEmptyRule = "segviz",
): number {
  checkOrganId(organId);
  if (pred.length !== truth.length) {
    throw new Error(`pred: expected the same voxel count as truth (${truth.length}), got ${pred.length}`);
  }
  let inPred = 0;
  let inTruth = 0;
  let inBoth = 0;
  for (let v = 0; v < pred.length; v++) {
    const p = pred[v] === organId;
    const t = truth[v] === organId;
    if (p) inPred++;
    if (t) inTruth++;
    if (p && t) inBoth++;
  }
  if (inTruth === 0) {
    if (emptyRule === "ignore-empty") return Number.NaN;
    if (emptyRule === "include-empty") return inPred === 0 ? 1 : 0;
    if (inPred === 0) return Number.NaN;
  }
  return (2 * inBoth) / (inPred + inTruth);
}
