// The federation layer's public surface: what the CLI and the experiments use.

export { loadCheckpoint, saveCheckpoint } from "./coordinator/checkpoint.js";
export type { CoordinatorConfig } from "./coordinator/config.js";
export {
  type CoordinatorHandle,
  type CoordinatorResult,
  type CoordinatorStatus,
  runCoordinator,
  startCoordinator,
} from "./coordinator/coordinator.js";
export type { RoundLogRecord, RoundRecord, SiteRoundRecord } from "./coordinator/round-log.js";
export { JsonLineLogger, type Logger, MemoryLogger } from "./logging/json-logger.js";
export { PROTOCOL_VERSION } from "./protocol/version.js";
export { hashToken, type SiteCredentialConfig } from "./security/site-registry.js";
export type { CoordinatorTlsConfig, SiteTlsConfig } from "./security/tls.js";
export { validateUpdate } from "./security/update-validation.js";
export type { SimulationConfig, SimulationResult } from "./simulation/simulate.js";
export { simulate } from "./simulation/simulate.js";
export type { SiteConfig } from "./site/config.js";
export { runSite, SiteRefusedError, type SiteResult } from "./site/site-client.js";
export type { SiteTrainer, TrainingResult, TrainingRound } from "./site/site-trainer.js";
export type { StrategyConfig, StrategyName } from "./strategies/config.js";
export { createStrategy, STRATEGY_NAMES } from "./strategies/registry.js";
export type { Aggregation, RoundPlan, SiteUpdate, Strategy } from "./strategies/strategy.js";
export { NameFilter } from "./weights/name-filter.js";
export { decodeWeightSet, encodeWeightSet, type WeightSet } from "./weights/weight-set.js";
