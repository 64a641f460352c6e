// On-disk cache of preprocessed cases.
export { type CacheEvent, PreprocessCache, readCacheEntry } from "./preprocess-cache.js";
