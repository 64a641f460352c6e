// Dice overlap of one organ between a predicted and a true label map: 2|P ∩ T| / (|P| + |T|).
//
// Empty rule (DICE_EMPTY_RULE, quoted in every report):
// - truth empty and prediction empty: NaN, "not applicable". The case says nothing about the model
//   for that organ, so it is excluded from means and counted separately as n_empty.
// - truth empty, prediction not empty: 0. A false positive is an error and is penalised.
// - truth not empty, prediction empty: 0, by the formula.

import { checkOrganId, type LabelMap } from "./organ-mask.js";

export const DICE_EMPTY_RULE =
  "Dice: truth and prediction both empty -> NaN (not applicable; excluded from means, counted as n_empty); " +
  "truth empty but prediction non-empty -> 0 (false positive penalised); truth non-empty, prediction empty -> 0.";

/** Dice of organ `organId` (default 1, for binary masks) between two label maps of the same voxel count. */
export function diceScore(pred: LabelMap, truth: LabelMap, organId = 1): number {
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
  if (inPred + inTruth === 0) return Number.NaN;
  return (2 * inBoth) / (inPred + inTruth);
}
