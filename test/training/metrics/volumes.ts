// Test volumes for the metrics: boxes and seeded random blobs in NIfTI order (i fastest).

import { mulberry32 } from "../../../src/util/mulberry32.js";

export type Shape = [number, number, number];

export function voxelIndex(shape: Shape, i: number, j: number, k: number): number {
  return i + shape[0] * (j + shape[1] * k);
}

/** A label map with `label` on the box lo..hi (inclusive) per axis. */
export function boxLabels(shape: Shape, lo: Shape, hi: Shape, label = 1, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) out[voxelIndex(shape, i, j, k)] = label;
    }
  }
  return out;
}

/** Deterministic uniform [0, 1) numbers (mulberry32). */
export const seededRandom = mulberry32;

export interface Ellipsoid {
  centre: [number, number, number];
  radii: [number, number, number];
}

export function randomEllipsoids(random: () => number, shape: Shape, count: number): Ellipsoid[] {
  return Array.from({ length: count }, () => ({
    centre: [random() * shape[0], random() * shape[1], random() * shape[2]] as [number, number, number],
    radii: [1 + random() * shape[0] * 0.3, 1 + random() * shape[1] * 0.3, 1 + random() * shape[2] * 0.3] as [
      number,
      number,
      number,
    ],
  }));
}

/** Paints `label` inside every ellipsoid (moved by `offset`), then flips a fraction of voxels at random. */
export function paintBlob(
  labels: Uint8Array,
  shape: Shape,
  blobs: Ellipsoid[],
  label: number,
  random: () => number,
  offset: [number, number, number] = [0, 0, 0],
  noise = 0.02,
): Uint8Array {
  let v = 0;
  for (let k = 0; k < shape[2]; k++) {
    for (let j = 0; j < shape[1]; j++) {
      for (let i = 0; i < shape[0]; i++, v++) {
        const inside = blobs.some(
          ({ centre: c, radii: r }) =>
            ((i - c[0] - offset[0]) / r[0]) ** 2 +
              ((j - c[1] - offset[1]) / r[1]) ** 2 +
              ((k - c[2] - offset[2]) / r[2]) ** 2 <=
            1,
        );
        if (inside !== random() < noise) labels[v] = label;
      }
    }
  }
  return labels;
}
