// Label maps of the data sets SegViz uses (ids from each data set's documentation). Tumour labels
// are merged into their organ, as in the SegViz study.

import type { LabelMap } from "./label-map.js";

/** MSD Task03 Liver: 1 liver, 2 tumour. */
export const MSD_TASK03_LIVER: LabelMap = { name: "MSD Task03 Liver", labels: { 1: "liver", 2: "liver" } };

/** MSD Task09 Spleen: 1 spleen. */
export const MSD_TASK09_SPLEEN: LabelMap = { name: "MSD Task09 Spleen", labels: { 1: "spleen" } };

/** MSD Task07 Pancreas: 1 pancreas, 2 tumour. */
export const MSD_TASK07_PANCREAS: LabelMap = {
  name: "MSD Task07 Pancreas",
  labels: { 1: "pancreas", 2: "pancreas" },
};

/** KiTS19: 1 kidney, 2 tumour. */
export const KITS19: LabelMap = { name: "KiTS19", labels: { 1: "kidney", 2: "kidney" } };

/**
 * BTCV (13 organs): 1 spleen, 2 right kidney, 3 left kidney, 6 liver, 11 pancreas; gallbladder (4),
 * oesophagus (5), stomach (7), aorta (8), IVC (9), portal/splenic vein (10) and adrenals (12, 13)
 * are background for this task.
 */
export const BTCV: LabelMap = {
  name: "BTCV",
  labels: { 1: "spleen", 2: "kidney", 3: "kidney", 6: "liver", 11: "pancreas" },
  background: [
    [4, 5],
    [7, 10],
    [12, 13],
  ],
};

/**
 * TotalSegmentator v2 "total" task (117 classes): 1 spleen, 2 right kidney, 3 left kidney, 5 liver,
 * 7 pancreas; every other class is background here.
 */
export const TOTALSEGMENTATOR: LabelMap = {
  name: "TotalSegmentator total",
  labels: { 1: "spleen", 2: "kidney", 3: "kidney", 5: "liver", 7: "pancreas" },
  background: [4, 6, [8, 117]],
};

/** The label maps a config or a command-line option may name instead of spelling them out. */
export const LABEL_MAP_PRESETS: Readonly<Record<string, LabelMap>> = {
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  KITS19,
  BTCV,
  TOTALSEGMENTATOR,
};
