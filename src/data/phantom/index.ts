// Procedural abdominal CT phantom: synthetic CT volumes with organ labels, per-site scanner
// styles, and a ready-made partially labelled federation (MSD sites + BTCV-layout test set).

export type { Anatomy, OrganShapes } from "./anatomy/index.js";
export {
  btcvLabelVolume,
  type FederationManifest,
  type FederationResult,
  type ManifestCase,
  siteLabelVolume,
  writePhantomFederation,
} from "./federation.js";
export {
  caseSeed,
  type FederationOptions,
  type FederationPlan,
  msdDatasetJson,
  planFederation,
  TEST_SET_DIR,
} from "./federation-plan.js";
export { generatePhantom, type Phantom, type PhantomOptions, resolveStyle } from "./generate.js";
export { flipToLps, gridAffine, type VoxelGrid, voxelToWorld, voxelVolumeMl } from "./grid.js";
export {
  BTCV_LABELS,
  btcvOfTissue,
  organOfTissue,
  PHANTOM_ORGAN_LABELS,
  PHANTOM_ORGANS,
  type PhantomOrgan,
  Tissue,
} from "./labels.js";
export { rasterizeShape, rasterizeStructure } from "./paint.js";
export type { PatientParams } from "./patient.js";
export { SeededRandom } from "./prng.js";
export {
  BTCV_TEST_STYLE,
  FEDERATION_SITES,
  KIDNEY_SITE_STYLE,
  LIVER_SITE_STYLE,
  PANCREAS_SITE_STYLE,
  type SiteSpec,
  SPLEEN_SITE_STYLE,
} from "./site-styles.js";
export {
  CONTRAST_PHASES,
  type ContrastPhase,
  DEFAULT_SCANNER_STYLE,
  PHANTOM_SIZES,
  type PhantomSize,
  type ScannerStyle,
  styleAtSize,
} from "./styles.js";
