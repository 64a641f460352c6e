// Label maps: which label ids of a source data set become which organ, which ids are allowed but
// count as background, and which organs the site annotates (partial labels). Applying one turns a
// label volume into organ indices through a lookup table, one pass, no per-voxel allocation.

import { DataError } from "../errors.js";
import type { VoxelArray } from "../volume.js";
import { ORGANS } from "./organs.js";

/** A single id or an inclusive range of ids. */
type LabelIds = number | readonly [number, number];

export interface LabelMap {
  /** Used in messages, e.g. "BTCV". */
  name: string;
  /** Output vocabulary: organ i is written as i + 1, background as 0. Default ORGANS. */
  organs?: readonly string[];
  /** Source label id -> organ name. Several ids may map to one organ (tumour into its organ). */
  labels: Readonly<Record<number, string>>;
  /** Ids that may occur and become background (0 always may, unless `labels` maps it). */
  background?: readonly LabelIds[];
  /**
   * Organs this site annotates; default: every organ `labels` maps to. Elsewhere, voxels of the
   * other organs are labelled background here, so a trainer must treat them as unknown.
   */
  annotated?: readonly string[];
}

interface CompiledLabelMap {
  /** lookup[id] = organ index + 1, 0 for background, -1 for an id not in the map. */
  lookup: Int16Array;
  allowedText: string;
}

/** Above this an id range is refused rather than given a huge lookup table. */
const MAX_LABEL_ID = 1 << 20;
const compiled = new WeakMap<LabelMap, CompiledLabelMap>();

export function organsOf(map: LabelMap): readonly string[] {
  return map.organs ?? ORGANS;
}

export function annotatedOrgans(map: LabelMap): string[] {
  return map.annotated ? [...map.annotated] : [...new Set(Object.values(map.labels))];
}

function checkId(map: LabelMap, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LABEL_ID) {
    throw new Error(`label map "${map.name}": label id ${id} must be an integer in 0..${MAX_LABEL_ID}`);
  }
}

/** Validates the map and builds its lookup table (cached per map object). */
function compileLabelMap(map: LabelMap): CompiledLabelMap {
  const cached = compiled.get(map);
  if (cached) return cached;
  const organs = organsOf(map);
  if (organs.length > 255) throw new Error(`label map "${map.name}": more than 255 organs`);
  const explicit: [number, number][] = (map.background ?? []).map((r) =>
    typeof r === "number" ? [r, r] : [r[0], r[1]],
  );
  const mapped = Object.keys(map.labels).map(Number);
  for (const [lo, hi] of explicit) {
    checkId(map, lo);
    checkId(map, hi);
  }
  for (const id of mapped) {
    checkId(map, id);
    if (explicit.some(([lo, hi]) => id >= lo && id <= hi)) {
      throw new Error(
        `label map "${map.name}": id ${id} is listed both as background and as ${map.labels[id]}`,
      );
    }
  }
  const ranges = mapped.includes(0) ? explicit : [...explicit, [0, 0] as [number, number]];
  const maxId = Math.max(0, ...mapped, ...ranges.map((r) => r[1]));
  const lookup = new Int16Array(maxId + 1).fill(-1);
  for (const [lo, hi] of ranges) lookup.fill(0, lo, hi + 1);
  for (const id of mapped) {
    const organ = map.labels[id];
    const index = organs.indexOf(organ);
    if (index < 0)
      throw new Error(`label map "${map.name}": id ${id} maps to "${organ}", not one of ${organs}`);
    lookup[id] = index + 1;
  }
  for (const organ of annotatedOrgans(map)) {
    if (!organs.includes(organ))
      throw new Error(`label map "${map.name}": annotated organ "${organ}" is unknown`);
  }
  const result = { lookup, allowedText: describeAllowed(lookup) };
  compiled.set(map, result);
  return result;
}

/** "0-13" or "0-3, 5, 7-9": the ids a lookup table accepts. */
function describeAllowed(lookup: Int16Array): string {
  const parts: string[] = [];
  for (let i = 0; i < lookup.length; i++) {
    if (lookup[i] < 0) continue;
    let j = i;
    while (j + 1 < lookup.length && lookup[j + 1] >= 0) j++;
    parts.push(i === j ? `${i}` : `${i}-${j}`);
    i = j;
  }
  return parts.join(", ");
}

/**
 * Organ indices (0 background, i + 1 for organ i of the map's vocabulary) for every voxel of
 * `labels`. Throws naming `file` on a value the map does not list (including non-integers).
 */
export function applyLabelMap(labels: VoxelArray, map: LabelMap, file: string): Uint8Array {
  const { lookup, allowedText } = compileLabelMap(map);
  const n = labels.length;
  const out = new Uint8Array(n);
  let firstBad = -1;
  let badCount = 0;
  if (labels instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      const v = lookup[Number(labels[i])];
      if (v === undefined || v < 0) {
        if (firstBad < 0) firstBad = i;
        badCount++;
      } else out[i] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      // Indexing a typed array with a negative, fractional or too-large value gives undefined.
      const v = lookup[labels[i]];
      if (v === undefined || v < 0) {
        if (firstBad < 0) firstBad = i;
        badCount++;
      } else out[i] = v;
    }
  }
  if (badCount > 0) {
    throw new DataError(
      file,
      `label value ${labels[firstBad]} (voxel ${firstBad}; ${badCount} voxel(s) outside the map) is not in ` +
        `label map "${map.name}" (allowed: ${allowedText})`,
    );
  }
  return out;
}

/** Voxels per organ name (background excluded) in an organ-index volume. */
export function countOrgans(organIndex: Uint8Array, map: LabelMap): Record<string, number> {
  const organs = organsOf(map);
  const counts = new Float64Array(organs.length + 1);
  for (let i = 0; i < organIndex.length; i++) counts[organIndex[i]]++;
  return Object.fromEntries(organs.map((organ, i) => [organ, counts[i + 1]]));
}
