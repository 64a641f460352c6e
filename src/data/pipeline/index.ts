// From files to training batches: preprocessing through the cache, then patches from worker threads.
export type { AugmentSettings } from "./augment-settings.js";
export { DevicePatchLoader } from "./device-patch-loader.js";
export { type HostPatchBatch, type PatchBatch, PatchLoader } from "./patch-loader.js";
export type { PatchSource } from "./patch-source.js";
export { preprocessCase } from "./preprocess-case.js";
export { preprocessDataset } from "./preprocess-dataset.js";
export { SEGVIZ_PREPROCESS } from "./preprocess-settings.js";
