// The federation layer's public surface and the only import path into it from outside the folder
// (scripts/check-layers.mjs enforces this): what the CLI and the experiments use.

export { loadCheckpoint, saveCheckpoint } from "./coordinator/checkpoint.js";
export type { CoordinatorConfig } from "./coordinator/config.js";
export {
  type CoordinatorHandle,
  type CoordinatorResult,
  type CoordinatorStatus,
  runCoordinator,
  startCoordinator,
} from "./coordinator/coordinator.js";
export type {
  RoundLogRecord,
  RoundRecord,
  SharingVerification,
  SiteRoundRecord,
} from "./coordinator/round-log.js";
export { acceptedSiteRounds, completedRounds, readRoundLog } from "./coordinator/round-log.js";
export { JsonLineLogger, type Logger, MemoryLogger } from "./logging/json-logger.js";
export { PROTOCOL_VERSION } from "./protocol/version.js";
export { hashToken, type SiteCredentialConfig } from "./security/site-registry.js";
export type { CoordinatorTlsConfig, SiteTlsConfig } from "./security/tls.js";
export { validateUpdate } from "./security/update-validation.js";
export type { FederationOutcome, SiteOutcome } from "./simulation/outcome.js";
export type { SimulationConfig, SimulationResult } from "./simulation/simulate.js";
export { simulate } from "./simulation/simulate.js";
export type { SiteConfig } from "./site/config.js";
export { runSite, SiteRefusedError, type SiteResult } from "./site/site-client.js";
export type { SiteTrainer, TrainingResult, TrainingRound } from "./site/site-trainer.js";
export { DEFAULT_STATISTICS_PATTERNS, type StrategyConfig, type StrategyName } from "./strategies/config.js";
export { createStrategy, STRATEGY_NAMES } from "./strategies/registry.js";
export type { Aggregation, RoundPlan, SiteUpdate, Strategy } from "./strategies/strategy.js";
export {
  type ClientConfig,
  type FederationRunConfig,
  loadClientConfig,
  loadCoordinatorConfig,
  loadFederationConfig,
  parseClientConfig,
  parseCoordinatorConfig,
  parseFederationConfig,
} from "./unet-site/config-files.js";
export {
  isOptimizerStateName,
  OPTIMIZER_STATE_PREFIX,
  type OptimizerStatePolicy,
  splitOptimizerState,
} from "./unet-site/optimizer-state.js";
export { UNetSiteTrainer, type UNetSiteTrainerOptions } from "./unet-site/unet-site-trainer.js";
export { UNET_TRAINER_MODULE } from "./unet-site/unet-trainer-module.js";
export { NameFilter } from "./weights/name-filter.js";
export { decodeWeightSet, encodeWeightSet, type WeightSet } from "./weights/weight-set.js";
