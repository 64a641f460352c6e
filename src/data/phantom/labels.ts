// Label ids: the organ ids the phantom writes, the BTCV ids of the external test set, and the
// finer tissue classes the generator paints first (labels and HU are both derived from tissues).

/** Organ ids in the phantom's own multi-organ label volume. */
export const PHANTOM_ORGAN_LABELS = {
  background: 0,
  liver: 1,
  spleen: 2,
  pancreas: 3,
  kidney: 4,
} as const;

export type PhantomOrgan = "liver" | "spleen" | "pancreas" | "kidney";

/** BTCV (Synapse multi-organ) ids of the organs the study evaluates. */
export const BTCV_LABELS = {
  background: 0,
  spleen: 1,
  rightKidney: 2,
  leftKidney: 3,
  liver: 6,
  pancreas: 11,
} as const;

/**
 * Tissue classes painted into the phantom. Kidneys are split by side (and cortex/medulla) here, so
 * the per-side BTCV labels and kidney HU patterns can be derived from one map.
 */
export const Tissue = {
  air: 0,
  subcutaneousFat: 1,
  muscle: 2,
  visceralFat: 3,
  boneCortex: 4,
  boneMarrow: 5,
  disc: 6,
  spinalCanal: 7,
  cartilage: 8,
  aorta: 9,
  ivc: 10,
  portalVein: 11,
  liver: 12,
  liverVessel: 13,
  spleen: 14,
  pancreas: 15,
  rightKidneyCortex: 16,
  rightKidneyMedulla: 17,
  leftKidneyCortex: 18,
  leftKidneyMedulla: 19,
  renalSinus: 20,
  gallbladder: 21,
  stomachWall: 22,
  stomachContent: 23,
  bowelWall: 24,
  bowelContent: 25,
  gas: 26,
  table: 27,
  lung: 28,
} as const;

export const TISSUE_COUNT = 29;

/** Tissue id -> organ id (PHANTOM_ORGAN_LABELS); liver vessels belong to the liver, as in MSD/LiTS. */
export function organOfTissue(tissue: number): number {
  switch (tissue) {
    case Tissue.liver:
    case Tissue.liverVessel:
      return PHANTOM_ORGAN_LABELS.liver;
    case Tissue.spleen:
      return PHANTOM_ORGAN_LABELS.spleen;
    case Tissue.pancreas:
      return PHANTOM_ORGAN_LABELS.pancreas;
    case Tissue.rightKidneyCortex:
    case Tissue.rightKidneyMedulla:
    case Tissue.leftKidneyCortex:
    case Tissue.leftKidneyMedulla:
      return PHANTOM_ORGAN_LABELS.kidney;
    default:
      return 0;
  }
}

/** Tissue id -> BTCV id. */
export function btcvOfTissue(tissue: number): number {
  switch (tissue) {
    case Tissue.liver:
    case Tissue.liverVessel:
      return BTCV_LABELS.liver;
    case Tissue.spleen:
      return BTCV_LABELS.spleen;
    case Tissue.pancreas:
      return BTCV_LABELS.pancreas;
    case Tissue.rightKidneyCortex:
    case Tissue.rightKidneyMedulla:
      return BTCV_LABELS.rightKidney;
    case Tissue.leftKidneyCortex:
    case Tissue.leftKidneyMedulla:
      return BTCV_LABELS.leftKidney;
    default:
      return 0;
  }
}

/** A 256-entry lookup table built from a tissue -> label function, for one pass over a volume. */
export function tissueLookup(map: (tissue: number) => number): Uint8Array {
  const lut = new Uint8Array(256);
  for (let t = 0; t < 256; t++) lut[t] = map(t);
  return lut;
}

/** Applies a 256-entry lookup table to every voxel. */
export function mapVoxels(tissue: Uint8Array, lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(tissue.length);
  for (let i = 0; i < tissue.length; i++) out[i] = lut[tissue[i]];
  return out;
}
