// Label maps a config may name instead of spelling them out.
import type { LabelMap } from "../../data/datasets/label-map.js";
import {
  BTCV,
  KITS19,
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  TOTALSEGMENTATOR,
} from "../../data/datasets/label-maps.js";

export const LABEL_MAP_PRESETS: Readonly<Record<string, LabelMap>> = {
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  KITS19,
  BTCV,
  TOTALSEGMENTATOR,
};

export function resolveLabelMap(value: string | LabelMap, field: string): LabelMap {
  if (typeof value !== "string") return value;
  const preset = LABEL_MAP_PRESETS[value];
  if (!preset)
    throw new Error(
      `${field}: unknown label map '${value}' (presets: ${Object.keys(LABEL_MAP_PRESETS).join(", ")})`,
    );
  return preset;
}
