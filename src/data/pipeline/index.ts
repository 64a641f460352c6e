// From files to training batches: preprocessing through the cache, then patches from worker threads.
export { type AugmentSettings, augmentTransform, SEGVIZ_AUGMENT } from "./augment-settings.js";
export { type PatchBatch, type PatchEntry, PatchLoader, type PatchLoaderOptions } from "./patch-loader.js";
export {
  type CasePaths,
  type PreprocessedCase,
  preprocessCase,
  preprocessTransform,
  preprocessVolumes,
} from "./preprocess-case.js";
export { type PreparedCase, type PreprocessDatasetOptions, preprocessDataset } from "./preprocess-dataset.js";
export {
  checkPreprocessSettings,
  type PreprocessSettings,
  SEGVIZ_PREPROCESS,
} from "./preprocess-settings.js";
