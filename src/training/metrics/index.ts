// Segmentation metrics on label maps: Dice, HD95, ASSD, per-organ summaries and their tables.

export {
  DICE_EMPTY_RULE,
  DICE_EMPTY_RULE_NAMES,
  DICE_EMPTY_RULES,
  type DiceEmptyRule,
  diceScore,
} from "./dice.js";
export { squaredDistancesAt, squaredDistanceToFeatures } from "./distance-transform.js";
export {
  buildEvaluation,
  evaluateCase,
  type MetricsEvaluation,
  type OrganCaseMetrics,
} from "./evaluation.js";
export { maskSurface } from "./mask-surface.js";
export { metricsCsv, writeMetricsTables } from "./metrics-tables.js";
export { organMask } from "./organ-mask.js";
export { percentileLinear } from "./percentile.js";
export { summarise } from "./summary.js";
export {
  directedSurfaceDistances,
  hausdorff95,
  SURFACE_DISTANCE_EMPTY_RULE,
  SURFACE_DISTANCE_EMPTY_RULES,
  SURFACE_EMPTY_RULE_NAMES,
  type SurfaceEmptyRule,
  surfaceDistanceMetrics,
} from "./surface-distance.js";
