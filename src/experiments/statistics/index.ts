// Statistics for comparing arms: the paired Wilcoxon signed-rank test and Holm's correction.

export { erfc, normalSurvival, twoSidedNormalPValue } from "../../util/normal-tail.js";
export {
  type CaseScore,
  type CompareOptions,
  caseScores,
  compareArmsToBaseline,
  type OrganComparison,
} from "./compare-arms.js";
export { holmAdjust } from "./holm.js";
export { averageRanks, type Ranking } from "./ranks.js";
export { EXACT_MAX_N, exactSignedRankPValue, signedRankPmf } from "./signed-rank-distribution.js";
export { type WilcoxonOptions, type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.js";
