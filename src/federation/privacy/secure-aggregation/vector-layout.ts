// Where each shared tensor lives in the flat vector a site masks: the global set's names in
// sorted order, then named extra slots (the DP clipping bit). Site and coordinator build it from
// the same global weights, so both agree on every offset without sending it.

import { isFloatDtype, type WeightSet } from "../../weights/weight-set.js";
import { quantisationLevels } from "./config.js";

export interface LayoutEntry {
  name: string;
  offset: number;
  length: number;
  /** Quantised units per unit of value: levels / clipRange for floats, 1 for integer tensors. */
  scale: number;
  /** Values are clipped to [-range, range] before scaling. */
  range: number;
}

export interface VectorLayout {
  entries: LayoutEntry[];
  /** Total number of ring elements. */
  length: number;
}

/** Extra slots, after the tensors: each one float value. */
export function vectorLayout(
  global: WeightSet,
  bits: number,
  clipRange: number,
  extras: string[] = [],
): VectorLayout {
  const levels = quantisationLevels(bits);
  const entries: LayoutEntry[] = [];
  let offset = 0;
  for (const name of [...global.keys()].sort()) {
    const t = global.get(name)!;
    const float = isFloatDtype(t.dtype);
    entries.push({
      name,
      offset,
      length: t.data.length,
      scale: float ? levels / clipRange : 1,
      range: float ? clipRange : levels,
    });
    offset += t.data.length;
  }
  for (const name of extras) {
    entries.push({ name, offset, length: 1, scale: levels / clipRange, range: clipRange });
    offset += 1;
  }
  return { entries, length: offset };
}
