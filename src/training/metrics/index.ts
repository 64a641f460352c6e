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
  type CaseLabelMaps,
  checkOrgans,
  type EvaluateOptions,
  evaluateCase,
  type MetricsEvaluation,
  type Organ,
  type OrganCaseMetrics,
  type OrganMetricsSummary,
} from "./evaluation.js";
export { checkShape, checkSpacing, checkVoxelCount, type Shape3, type Spacing3 } from "./grid.js";
export { maskSurface } from "./mask-surface.js";
export {
  type MetricsJson,
  type MetricsTablePaths,
  metricsCsv,
  metricsJson,
  writeMetricsTables,
} from "./metrics-tables.js";
export { checkOrganId, type LabelMap, organMask } from "./organ-mask.js";
export { percentileLinear } from "./percentile.js";
export { type MetricSummary, SUMMARY_RULE, summarise } from "./summary.js";
export {
  type DirectedSurfaceDistances,
  directedSurfaceDistances,
  hausdorff95,
  SURFACE_DISTANCE_EMPTY_RULE,
  SURFACE_DISTANCE_EMPTY_RULES,
  SURFACE_EMPTY_RULE_NAMES,
  type SurfaceDistanceMetrics,
  type SurfaceEmptyRule,
  surfaceDistanceMetrics,
} from "./surface-distance.js";
