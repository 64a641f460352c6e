// On-disk cache of preprocessed cases.
export { cacheKey, fileContentHash, stableJson } from "./content-hash.js";
export { decodeEntry, encodeEntry } from "./entry-format.js";
export {
  CACHE_FORMAT_VERSION,
  type CacheEvent,
  type CacheResult,
  PreprocessCache,
  readCacheEntry,
} from "./preprocess-cache.js";
