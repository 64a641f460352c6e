// From files to training batches: preprocessing through the cache, then patches from worker threads.
export type { AugmentSettings } from "./augment-settings.js";
export { type PatchBatch, PatchLoader } from "./patch-loader.js";
export { preprocessCase } from "./preprocess-case.js";
export { preprocessDataset } from "./preprocess-dataset.js";
export { SEGVIZ_PREPROCESS } from "./preprocess-settings.js";
