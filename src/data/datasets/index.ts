// Data sets: listing cases in the supported layouts, label maps, splits, and loading.

export type { BadCase, Case } from "./case.js";
export { parseCsv } from "./csv-cases.js";
export { applyLabelMap, countOrgans, type LabelMap } from "./label-map.js";
export {
  BTCV,
  KITS19,
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  TOTALSEGMENTATOR,
} from "./label-maps.js";
export { type DatasetSpec, listCases } from "./list-cases.js";
export { loadCases } from "./load-cases.js";
export { ORGANS } from "./organs.js";
export { splitCases, splitIds } from "./split.js";
