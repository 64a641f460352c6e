// The lumbar/lower thoracic spine: vertebral bodies (cortical shell, marrow core) separated by
// discs, the spinal canal, the neural arch with spinous and transverse processes. Dimensions
// follow adult L1-L2 (body ~45 mm wide, ~32 mm deep, ~27 mm high; discs ~8 mm).

import type { Box } from "../geometry.js";
import { Tissue } from "../labels.js";
import { NO_TISSUE, type Structure } from "../paint.js";
import type { SeededRandom } from "../prng.js";
import { ExtrudedEllipse, type Shape, SmoothUnion } from "../shapes.js";

export interface SpineGeometry {
  /** y of the spinous process tip, the canal centre and the vertebral body centre, mm. */
  tipY: number;
  canalY: number;
  bodyY: number;
  bodyHalfWidth: number;
  bodyHalfDepth: number;
  canalHalfWidth: number;
  canalHalfDepth: number;
  archThickness: number;
  transverseReach: number;
  vertebraHeight: number;
  discHeight: number;
  /** z where a disc begins; vertebrae repeat every vertebraHeight + discHeight. */
  phaseZ: number;
  zMin: number;
  zMax: number;
}

export function buildSpineGeometry(
  rng: SeededRandom,
  scale: number,
  backY: number,
  zMin: number,
  zMax: number,
): SpineGeometry {
  const tipY = backY + rng.range(3, 8);
  const canalY = tipY + rng.range(28, 33) * scale;
  const canalHalfDepth = 8 * scale;
  const bodyHalfDepth = rng.range(15, 17.5) * scale;
  const vertebraHeight = rng.range(25, 29) * scale;
  const discHeight = rng.range(7, 10) * scale;
  return {
    tipY,
    canalY,
    bodyY: canalY + canalHalfDepth + 1 + bodyHalfDepth,
    bodyHalfWidth: rng.range(21, 24) * scale,
    bodyHalfDepth,
    canalHalfWidth: 10 * scale,
    canalHalfDepth,
    archThickness: 6 * scale,
    transverseReach: rng.range(38, 44) * scale,
    vertebraHeight,
    discHeight,
    phaseZ: rng.range(0, vertebraHeight + discHeight),
    zMin,
    zMax,
  };
}

/** Normalised elliptic radius of (dx, dy) for semi-axes (a, b): < 1 inside. */
function ellipseRadius(dx: number, dy: number, a: number, b: number): number {
  return Math.sqrt((dx / a) ** 2 + (dy / b) ** 2);
}

export class Spine implements Structure {
  readonly bounds: Box;
  constructor(readonly g: SpineGeometry) {
    const halfX = Math.max(g.transverseReach, g.bodyHalfWidth * 1.05) + 1;
    this.bounds = {
      min: [-halfX, g.tipY - 1, g.zMin],
      max: [halfX, g.bodyY + g.bodyHalfDepth * 1.05 + 1, g.zMax],
    };
  }

  tissueAt(x: number, y: number, z: number): number {
    const g = this.g;
    const period = g.vertebraHeight + g.discHeight;
    let u = (z - g.phaseZ) % period;
    if (u < 0) u += period;
    const inDisc = u < g.discHeight;
    // Distance (mm) to the nearest end plate within a vertebra, for the cortical end plates.
    const toEndPlate = inDisc ? 0 : Math.min(u - g.discHeight, period - u);

    // Vertebral body or disc.
    const rb = ellipseRadius(x, y - g.bodyY, g.bodyHalfWidth, g.bodyHalfDepth);
    if (inDisc) {
      if (rb < 1.03) return Tissue.disc;
    } else if (rb < 1) {
      const shellMm = (1 - rb) * Math.min(g.bodyHalfWidth, g.bodyHalfDepth);
      return shellMm < 2 || toEndPlate < 1.5 ? Tissue.boneCortex : Tissue.boneMarrow;
    }

    // Spinal canal and the arch around it (pedicles and laminae).
    const rc = ellipseRadius(x, y - g.canalY, g.canalHalfWidth, g.canalHalfDepth);
    if (rc < 1) return Tissue.spinalCanal;
    const ra = ellipseRadius(
      x,
      y - g.canalY,
      g.canalHalfWidth + g.archThickness,
      g.canalHalfDepth + g.archThickness,
    );
    if (ra < 1 && y < g.bodyY) return ra > 0.93 || rc < 1.12 ? Tissue.boneCortex : Tissue.boneMarrow;

    // Processes belong to the vertebra, not the disc level.
    if (inDisc) return NO_TISSUE;
    const mid = Math.abs(u - g.discHeight - g.vertebraHeight / 2) / (g.vertebraHeight / 2);
    // Transverse processes: lateral bars at canal level, thinner in z than the body.
    if (mid < 0.45 && Math.abs(y - (g.canalY - 2)) < 5 && Math.abs(x) < g.transverseReach) {
      return Math.abs(y - (g.canalY - 2)) > 3 ? Tissue.boneCortex : Tissue.boneMarrow;
    }
    // Spinous process: a midline blade running back to the tip.
    if (mid < 0.7 && Math.abs(x) < 4 && y >= g.tipY && y < g.canalY) {
      return Math.abs(x) > 2 ? Tissue.boneCortex : Tissue.boneMarrow;
    }
    return NO_TISSUE;
  }

  /**
   * A smooth envelope around all of the spine that organs must keep out of: the vertebral body
   * plus an ellipse around the arch and transverse processes.
   */
  envelope(): Shape {
    const g = this.g;
    const body = new ExtrudedEllipse({
      center: [0, g.bodyY],
      semiAxes: [g.bodyHalfWidth * 1.04 + 1, g.bodyHalfDepth * 1.04 + 1],
      zMin: g.zMin,
      zMax: g.zMax,
    });
    const arch = new ExtrudedEllipse({
      center: [0, g.canalY - 5],
      semiAxes: [g.transverseReach * 1.25 + 1, g.canalY - 5 - g.tipY + 1],
      zMin: g.zMin,
      zMax: g.zMax,
    });
    return new SmoothUnion([body, arch], 4);
  }
}
