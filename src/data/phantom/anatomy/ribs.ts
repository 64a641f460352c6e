// The lower ribs (7-12) as bands in the abdominal wall. A rib runs from the back, around the
// flank, forwards and downwards, so in an axial slice it shows as a short arc of bone in the
// lateral or anterior wall; the lower ones (11, 12) float and stop at the flank.

import { Tissue } from "../labels.js";
import type { SeededRandom } from "../prng.js";

export interface Rib {
  /** +1 on the patient's left (+x), -1 on the right. */
  side: number;
  /** z of the rib where it leaves the back, mm. */
  headZ: number;
  /** How far it descends from back (phi = phiStart) to front (phi = pi), mm. */
  dropMm: number;
  /** Angular span measured from the posterior midline (0) to the anterior midline (pi). */
  phiStart: number;
  phiEnd: number;
  /** Beyond this angle the rib is costal cartilage. */
  cartilageFrom: number;
  /** Half its cranio-caudal height and its thickness within the wall, mm. */
  halfHeightMm: number;
  thicknessMm: number;
}

/** How far each rib (7..12) reaches forwards, as an angle from the posterior midline. */
const RIB_REACH = [2.95, 2.7, 2.45, 2.2, 1.65, 1.2];

export function buildRibs(rng: SeededRandom, scale: number): Rib[] {
  const ribs: Rib[] = [];
  const topZ = rng.range(95, 110) * scale;
  const spacing = rng.range(24, 29) * scale;
  for (const side of [-1, 1]) {
    // The two sides are not perfectly symmetric.
    const sideShift = rng.gaussian(0, 3);
    RIB_REACH.forEach((reach, n) => {
      const phiEnd = reach + rng.gaussian(0, 0.06);
      ribs.push({
        side,
        headZ: topZ - n * spacing + sideShift,
        dropMm: rng.range(90, 120) * scale,
        phiStart: 0.5,
        phiEnd,
        cartilageFrom: n < 4 ? phiEnd - rng.range(0.35, 0.55) : Number.POSITIVE_INFINITY,
        halfHeightMm: rng.range(5, 6.5) * scale,
        thicknessMm: rng.range(6, 8) * scale,
      });
    });
  }
  return ribs;
}

/**
 * Tissue of a rib at this point of the wall, or -1 where no rib is. `phi` is the angle from the
 * posterior midline (0..pi), `side` +1 left / -1 right, `depthMm` the depth below the muscle
 * layer's outer surface.
 */
export function ribTissueAt(ribs: Rib[], phi: number, side: number, depthMm: number, z: number): number {
  for (const rib of ribs) {
    if (rib.side !== side || phi < rib.phiStart || phi > rib.phiEnd) continue;
    const zc = rib.headZ - (rib.dropMm * (phi - rib.phiStart)) / (Math.PI - rib.phiStart);
    const dz = Math.abs(z - zc);
    if (dz > rib.halfHeightMm) continue;
    const inner = depthMm - 1;
    if (inner < 0 || inner > rib.thicknessMm) continue;
    if (phi > rib.cartilageFrom) return Tissue.cartilage;
    // A thin cortical shell around a marrow core.
    const edge = Math.min(rib.halfHeightMm - dz, inner, rib.thicknessMm - inner);
    return edge < 1.8 ? Tissue.boneCortex : Tissue.boneMarrow;
  }
  return -1;
}
