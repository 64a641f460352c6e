// The federation layer's public surface and the only import path into it from outside the folder
// (scripts/check-layers.mjs enforces this): what the CLI and the experiments use.

export { loadCheckpoint, saveCheckpoint } from "./coordinator/checkpoint.js";
export type { CoordinatorConfig } from "./coordinator/config.js";
export {
  type CoordinatorHandle,
  type CoordinatorResult,
  type CoordinatorStatus,
  startCoordinator,
} from "./coordinator/coordinator.js";
export type {
  RoundLogRecord,
  RoundRecord,
  SharingVerification,
  SiteRoundRecord,
} from "./coordinator/round-log.js";
export { acceptedSiteRounds, completedRounds, readRoundLog } from "./coordinator/round-log.js";
export type { DifferentialPrivacyConfig } from "./privacy/differential-privacy/config.js";
export type { PrivacyRecord } from "./privacy/differential-privacy/privacy-budget.js";
export type { FederationOutcome } from "./simulation/outcome.js";
export type { SimulationConfig } from "./simulation/simulate.js";
export { simulate } from "./simulation/simulate.js";
export type { SiteConfig } from "./site/config.js";
export { checkSiteOutputs, runSite, SiteRefusedError, type SiteResult } from "./site/site-client.js";
export type { SiteTrainer, TrainingResult, TrainingRound } from "./site/site-trainer.js";
export { DEFAULT_STATISTICS_PATTERNS, type StrategyConfig } from "./strategies/config.js";
export { loadClientConfig, loadCoordinatorConfig, loadFederationConfig } from "./unet-site/config-files.js";
export { dropOptimizerStateFromStore, splitOptimizerState } from "./unet-site/optimizer-state.js";
export { initialModelOfSites } from "./unet-site/unet-initial-model.js";
export { UNetSiteTrainer } from "./unet-site/unet-site-trainer.js";
export { UNET_TRAINER_MODULE } from "./unet-site/unet-trainer-module.js";
export { initialModelFromFile } from "./unet-site/unet-weights-file.js";
export type { WeightSet } from "./weights/weight-set.js";
export type { WireDtype } from "./weights/wire-dtype.js";
