// Data sets: listing cases in the supported layouts, label maps, splits, and loading.

export { listBtcvCases } from "./btcv.js";
export type { BadCase, Case, CaseList, OnBadCase } from "./case.js";
export type { ListOptions } from "./checkCases.js";
export { listCsvCases, parseCsv } from "./csvCases.js";
export { listFolderPairCases } from "./folderPairs.js";
export { listKits19Cases } from "./kits19.js";
export {
  annotatedOrgans,
  applyLabelMap,
  compileLabelMap,
  countOrgans,
  type LabelIds,
  type LabelMap,
  organsOf,
} from "./labelMap.js";
export {
  BTCV,
  KITS19,
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  TOTALSEGMENTATOR,
} from "./labelMaps.js";
export { type DatasetSpec, listCases } from "./listCases.js";
export { iterateCases, type LoadedCase, type LoadOptions, loadCase, loadCases } from "./loadCases.js";
export { listMsdCases } from "./msd.js";
export { ORGANS } from "./organs.js";
export { type SplitFile, type SplitOptions, type SplitResult, splitCases, splitIds } from "./split.js";
