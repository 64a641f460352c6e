// Surface distances only involve voxels of the two organ masks, so both masks are cut down to the
// bounding box of their union first. This is exact, not an approximation: every voxel just outside
// the box belongs to neither mask, as the erosion's out-of-volume border does, and every surface
// voxel (source or target of a distance) lies inside the box.

import type { Shape3 } from "./grid.js";
import type { LabelVoxels } from "./organ-mask.js";

interface CroppedOrganMasks {
  /** Shape of the box [i, j, k]. */
  shape: [number, number, number];
  /** 1 where the prediction is the organ, within the box, NIfTI order. */
  pred: Uint8Array;
  /** 1 where the truth is the organ, within the box, NIfTI order. */
  truth: Uint8Array;
  predVoxels: number;
  truthVoxels: number;
}

/** Both organ masks cut to the bounding box of their union; null when neither holds the organ. */
export function cropOrganMasks(
  pred: LabelVoxels,
  truth: LabelVoxels,
  shape: Shape3,
  organId: number,
): CroppedOrganMasks | null {
  const [ni, nj, nk] = shape;
  let iLo = ni;
  let iHi = -1;
  let jLo = nj;
  let jHi = -1;
  let kLo = nk;
  let kHi = -1;
  let predVoxels = 0;
  let truthVoxels = 0;
  const span = new Int32Array(4);
  for (let k = 0, row = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++, row += ni) {
      scanRow(pred, truth, row, ni, organId, span);
      predVoxels += span[2];
      truthVoxels += span[3];
      if (span[0] < 0) continue;
      if (span[0] < iLo) iLo = span[0];
      if (span[1] > iHi) iHi = span[1];
      if (j < jLo) jLo = j;
      if (j > jHi) jHi = j;
      if (k < kLo) kLo = k;
      kHi = k;
    }
  }
  if (predVoxels + truthVoxels === 0) return null;
  const box: [number, number, number] = [iHi - iLo + 1, jHi - jLo + 1, kHi - kLo + 1];
  const boxPred = new Uint8Array(box[0] * box[1] * box[2]);
  const boxTruth = new Uint8Array(boxPred.length);
  for (let k = kLo, b = 0; k <= kHi; k++) {
    for (let j = jLo; j <= jHi; j++, b += box[0]) {
      const row = ni * (j + nj * k) + iLo;
      copyRowMask(pred, boxPred, row, b, box[0], organId);
      copyRowMask(truth, boxTruth, row, b, box[0], organId);
    }
  }
  return { shape: box, pred: boxPred, truth: boxTruth, predVoxels, truthVoxels };
}

/** span = [first, last] index of the organ in either map along one row (-1 if none), then the counts. */
function scanRow(
  pred: LabelVoxels,
  truth: LabelVoxels,
  start: number,
  n: number,
  organId: number,
  span: Int32Array,
): void {
  let first = -1;
  let last = -1;
  let inPred = 0;
  let inTruth = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[start + i] === organId ? 1 : 0;
    const t = truth[start + i] === organId ? 1 : 0;
    inPred += p;
    inTruth += t;
    if ((p | t) !== 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  span[0] = first;
  span[1] = last;
  span[2] = inPred;
  span[3] = inTruth;
}

function copyRowMask(
  labels: LabelVoxels,
  mask: Uint8Array,
  from: number,
  to: number,
  n: number,
  organId: number,
): void {
  for (let i = 0; i < n; i++) mask[to + i] = labels[from + i] === organId ? 1 : 0;
}
