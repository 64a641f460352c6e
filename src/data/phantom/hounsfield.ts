// Hounsfield units per tissue and contrast phase, with texture amplitudes. Values are typical
// adult figures: unenhanced organs 30-65 HU; arterial phase bright aorta (~300) and renal cortex,
// mottled spleen, pancreatic peak; portal-venous phase liver ~100-110, spleen ~110, homogeneous
// kidneys. Fat -100, muscle 40-60, cortical bone 700-1000, marrow ~250, air -1000.

import { TISSUE_COUNT, Tissue } from "./labels.js";
import type { PatientParams } from "./patient.js";
import type { ContrastPhase } from "./styles.js";

interface TissueAppearance {
  /** Mean HU without contrast, and in arterial and portal-venous phase. */
  none: number;
  arterial: number;
  portalVenous: number;
  /** Amplitude (HU, ~1 std) of smooth texture at two scales: coarse (~3 cm) and fine (~1 cm). */
  coarse: number;
  fine: number;
  /** Fine-texture amplitude in arterial phase if different (the spleen's mottled pattern). */
  arterialFine?: number;
}

const same = (hu: number) => ({ none: hu, arterial: hu, portalVenous: hu });

const TISSUE_APPEARANCE: Record<keyof typeof Tissue, TissueAppearance> = {
  air: { ...same(-1000), coarse: 0, fine: 0 },
  subcutaneousFat: { ...same(-102), coarse: 6, fine: 5 },
  muscle: { none: 50, arterial: 55, portalVenous: 60, coarse: 5, fine: 5 },
  visceralFat: { ...same(-92), coarse: 12, fine: 10 },
  boneCortex: { ...same(850), coarse: 40, fine: 30 },
  boneMarrow: { ...same(240), coarse: 25, fine: 25 },
  disc: { none: 80, arterial: 85, portalVenous: 90, coarse: 5, fine: 5 },
  spinalCanal: { none: 20, arterial: 22, portalVenous: 25, coarse: 3, fine: 3 },
  cartilage: { ...same(120), coarse: 10, fine: 8 },
  aorta: { none: 42, arterial: 320, portalVenous: 170, coarse: 3, fine: 3 },
  ivc: { none: 40, arterial: 85, portalVenous: 150, coarse: 6, fine: 8 },
  portalVein: { none: 40, arterial: 130, portalVenous: 180, coarse: 3, fine: 3 },
  liver: { none: 60, arterial: 75, portalVenous: 108, coarse: 5, fine: 4 },
  liverVessel: { none: 40, arterial: 95, portalVenous: 170, coarse: 3, fine: 3 },
  spleen: { none: 50, arterial: 118, portalVenous: 112, coarse: 4, fine: 5, arterialFine: 40 },
  pancreas: { none: 45, arterial: 110, portalVenous: 90, coarse: 5, fine: 9 },
  rightKidneyCortex: { none: 33, arterial: 185, portalVenous: 168, coarse: 4, fine: 4 },
  rightKidneyMedulla: { none: 30, arterial: 75, portalVenous: 152, coarse: 4, fine: 4 },
  leftKidneyCortex: { none: 33, arterial: 185, portalVenous: 168, coarse: 4, fine: 4 },
  leftKidneyMedulla: { none: 30, arterial: 75, portalVenous: 152, coarse: 4, fine: 4 },
  renalSinus: { none: -75, arterial: -70, portalVenous: -65, coarse: 12, fine: 10 },
  gallbladder: { none: 10, arterial: 12, portalVenous: 14, coarse: 2, fine: 2 },
  stomachWall: { none: 40, arterial: 90, portalVenous: 80, coarse: 4, fine: 4 },
  stomachContent: { ...same(15), coarse: 6, fine: 8 },
  bowelWall: { none: 40, arterial: 100, portalVenous: 90, coarse: 5, fine: 5 },
  bowelContent: { ...same(22), coarse: 10, fine: 14 },
  gas: { ...same(-900), coarse: 40, fine: 50 },
  table: { ...same(150), coarse: 0, fine: 0 },
  lung: { ...same(-860), coarse: 25, fine: 30 },
};

/** Per-tissue mean HU and texture amplitudes as typed arrays indexed by tissue id. */
interface AppearanceTable {
  mean: Float32Array;
  coarse: Float32Array;
  fine: Float32Array;
}

/** The appearance of every tissue for one patient in one contrast phase. */
export function appearanceTable(phase: ContrastPhase, patient: PatientParams): AppearanceTable {
  const mean = new Float32Array(TISSUE_COUNT);
  const coarse = new Float32Array(TISSUE_COUNT);
  const fine = new Float32Array(TISSUE_COUNT);
  for (const [name, id] of Object.entries(Tissue) as [keyof typeof Tissue, number][]) {
    const a = TISSUE_APPEARANCE[name];
    const enhanced = phase === "arterial" ? a.arterial : phase === "portal-venous" ? a.portalVenous : a.none;
    // The patient's circulation scales how far contrast lifts a tissue above its plain value.
    mean[id] = a.none + patient.enhancement * (enhanced - a.none);
    coarse[id] = a.coarse;
    fine[id] = phase === "arterial" && a.arterialFine !== undefined ? a.arterialFine : a.fine;
  }
  mean[Tissue.boneCortex] = patient.corticalHu;
  mean[Tissue.boneMarrow] = patient.marrowHu;
  mean[Tissue.liver] += patient.liverShiftHu;
  return { mean, coarse, fine };
}
