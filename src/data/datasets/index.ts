// Data sets: listing cases in the supported layouts, label maps, splits, and loading.

export { listBtcvCases } from "./btcv.js";
export type { BadCase, Case, CaseList, OnBadCase } from "./case.js";
export type { ListOptions } from "./check-cases.js";
export { listCsvCases, parseCsv } from "./csv-cases.js";
export { listFolderPairCases } from "./folder-pairs.js";
export { listKits19Cases } from "./kits19.js";
export {
  annotatedOrgans,
  applyLabelMap,
  compileLabelMap,
  countOrgans,
  type LabelIds,
  type LabelMap,
  organsOf,
} from "./label-map.js";
export {
  BTCV,
  KITS19,
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  TOTALSEGMENTATOR,
} from "./label-maps.js";
export { type DatasetSpec, listCases } from "./list-cases.js";
export { iterateCases, type LoadedCase, type LoadOptions, loadCase, loadCases } from "./load-cases.js";
export { listMsdCases } from "./msd.js";
export { ORGANS } from "./organs.js";
export { type SplitFile, type SplitOptions, type SplitResult, splitCases, splitIds } from "./split.js";
