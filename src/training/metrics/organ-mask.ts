// Label maps hold one organ id per voxel (0 = background). A binary mask is the special case of a
// label map whose only organ id is 1, so every metric takes label maps and an organ id.

/**
 * A flat voxel array of organ ids in NIfTI order; a binary mask is a label map with organ id 1.
 * (Not the data layer's LabelMap, which says which ids of a data set are which organ.)
 */
export type LabelVoxels = Uint8Array;

/** Throws naming the field unless `organId` is a label id 1..255 (0 is background, not an organ). */
export function checkOrganId(organId: number, field = "organId"): void {
  if (!Number.isInteger(organId) || organId < 1 || organId > 255) {
    throw new Error(`${field}: expected an organ id in 1..255, got ${organId}`);
  }
}

/** 1 where `labels` equals `organId`, else 0. */
export function organMask(labels: LabelVoxels, organId: number): Uint8Array {
  checkOrganId(organId);
  const mask = new Uint8Array(labels.length);
  for (let v = 0; v < labels.length; v++) mask[v] = labels[v] === organId ? 1 : 0;
  return mask;
}
