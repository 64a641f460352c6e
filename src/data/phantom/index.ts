// Procedural abdominal CT phantom: synthetic CT volumes with organ labels, per-site scanner
// styles, and a ready-made partially labelled federation (MSD sites + BTCV-layout test set).

export { type FederationResult, writePhantomFederation } from "./federation.js";
export { caseSeed, planFederation } from "./federation-plan.js";
export { generatePhantom, type Phantom } from "./generate.js";
export { flipToLps, voxelToWorld, voxelVolumeMl } from "./grid.js";
export { BTCV_LABELS, PHANTOM_ORGAN_LABELS, type PhantomOrgan, Tissue } from "./labels.js";
export { rasterizeShape, rasterizeStructure } from "./paint.js";
export { SeededRandom } from "./prng.js";
export { FEDERATION_SITES } from "./site-styles.js";
export { type ContrastPhase, DEFAULT_SCANNER_STYLE, PHANTOM_SIZES, type PhantomSize } from "./styles.js";
