// Reorientation to target axis codes ("RAS", "LPS", ...), as MONAI's Orientationd: the voxel axes
// are permuted and flipped so that axis i points towards the first code, j the second, k the third.
// Pure re-indexing (no interpolation): values are exact and each voxel keeps its world position.

import { orientationCodes } from "../nifti/index.js";
import { type AxisMap, applyAxisMap } from "./axis-map.js";
import type { SpatialTensor } from "./spatial-tensor.js";
import { mapKeys, type Transform } from "./transform.js";

const OPPOSITE: Record<string, string> = { R: "L", L: "R", A: "P", P: "A", S: "I", I: "S" };

function checkCodes(codes: string, what: string): void {
  const axes = [...codes].map((c) => "RL AP SI".split(" ").findIndex((pair) => pair.includes(c)));
  if (codes.length !== 3 || axes.includes(-1) || new Set(axes).size !== 3) {
    throw new Error(`${what}: "${codes}" is not a 3-letter orientation code with one of R/L, A/P, S/I each`);
  }
}

/** The axis map taking a grid whose axes point along `from` to one along `to`. */
function orientationMap(from: string, to: string): AxisMap {
  checkCodes(from, "orientation: source affine");
  checkCodes(to, "orientation: target");
  const source: number[] = [];
  const flip: boolean[] = [];
  for (const code of to) {
    const a = [...from].findIndex((c) => c === code || c === OPPOSITE[code]);
    source.push(a);
    flip.push(from[a] !== code);
  }
  return { source, flip };
}

export function reorient(t: SpatialTensor, to: string): SpatialTensor {
  return applyAxisMap(t, orientationMap(orientationCodes(t.affine), to));
}

interface OrientationOptions {
  keys: readonly string[];
  /** Target codes, e.g. "RAS" (the SegViz setting). */
  axcodes: string;
}

export function orientation(o: OrientationOptions): Transform {
  checkCodes(o.axcodes, "orientation: axcodes");
  return (sample) => mapKeys(sample, o.keys, "orientation", (item) => reorient(item, o.axcodes));
}
