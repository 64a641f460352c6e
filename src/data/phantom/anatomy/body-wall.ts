// The body's cross-section: air outside, subcutaneous fat, the muscle wall (with the ribs in it)
// and the cavity inside, filled with visceral fat until organs are painted into it. The outline
// is an ellipse deformed by a few low-order harmonics, widening slightly towards the feet.

import type { Vec3 } from "../geometry.js";
import type { VoxelGrid } from "../grid.js";
import { Tissue } from "../labels.js";
import type { PatientParams } from "../patient.js";
import { FunctionShape, type Shape } from "../shapes.js";
import { type Rib, ribTissueAt } from "./ribs.js";

export class BodyWall {
  constructor(
    readonly patient: PatientParams,
    readonly ribs: Rib[],
  ) {}

  /** Radius (mm) of the muscle wall's outer surface along in-plane angle theta at height z. */
  innerRadius(theta: number, z: number): number {
    return this.innerRadiusDir(Math.cos(theta), Math.sin(theta), z);
  }

  /**
   * innerRadius for the unit direction (c, s) = (cos theta, sin theta): the harmonics come from
   * Chebyshev recurrences instead of six trigonometric calls per voxel.
   */
  innerRadiusDir(c: number, s: number, z: number): number {
    const p = this.patient;
    const a = p.innerHalfWidthMm;
    const b = p.innerHalfDepthMm;
    const ellipse = (a * b) / Math.sqrt((b * c) ** 2 + (a * s) ** 2);
    const c2 = 2 * c * c - 1;
    const s2 = 2 * s * c;
    const c3 = c * (4 * c * c - 3);
    const s3 = s * (3 - 4 * s * s);
    const c4 = 2 * c2 * c2 - 1;
    const s4 = 2 * s2 * c2;
    const h = p.outlineHarmonics;
    const harmonic = 1 + h[0] * c2 + h[1] * s2 + h[2] * c3 + h[3] * s3 + h[4] * c4 + h[5] * s4;
    return ellipse * harmonic * (1 - (p.caudalWidening * z) / 100);
  }

  /** Radius (mm) of the cavity inside the muscle wall along theta at height z. */
  cavityRadius(theta: number, z: number): number {
    return this.innerRadius(theta, z) - this.muscleThickness(theta);
  }

  /**
   * Moves an in-plane point towards the centre until it is at least `clearanceMm` inside the
   * cavity: keeps seed-dependent organ positions from poking through a narrow patient's wall.
   */
  keepInside(center: Vec3, clearanceMm: number): Vec3 {
    const theta = Math.atan2(center[1], center[0]);
    const rho = Math.hypot(center[0], center[1]);
    const limit = Math.max(0, this.cavityRadius(theta, center[2]) - clearanceMm);
    if (rho <= limit) return center;
    return [Math.cos(theta) * limit, Math.sin(theta) * limit, center[2]];
  }

  /** Subcutaneous fat thickness along theta: thinnest over the back. */
  fatThickness(theta: number): number {
    const s = Math.sin(theta);
    return this.patient.fatMm * (0.85 + 0.3 * Math.max(0, s) + 0.15 * Math.cos(2 * theta));
  }

  /** Muscle wall thickness along theta: thicker front (rectus) and back (quadratus lumborum). */
  muscleThickness(theta: number): number {
    return this.muscleThicknessDir(Math.sin(theta));
  }

  private muscleThicknessDir(s: number): number {
    return this.patient.muscleMm * (1 + 0.3 * Math.abs(s));
  }

  /** y (mm) of the muscle wall's outer surface on the posterior midline at height z. */
  backY(z: number): number {
    return -this.innerRadius(-Math.PI / 2, z);
  }

  /** Skin's y on the posterior midline at height z, mm. */
  skinBackY(z: number): number {
    return this.backY(z) - this.fatThickness(-Math.PI / 2);
  }

  /** Largest skin radius, mm (for bounding boxes). */
  maxSkinRadius(zMin: number, zMax: number): number {
    let r = 0;
    for (let t = 0; t < 64; t++) {
      const theta = (t / 64) * 2 * Math.PI - Math.PI;
      const f = this.fatThickness(theta);
      r = Math.max(r, this.innerRadius(theta, zMin) + f, this.innerRadius(theta, zMax) + f);
    }
    return r;
  }

  /**
   * Everything outside the cavity, as a shape (negative outside the cavity). Organs are carved by
   * it, so an organ's shape is exactly the part of it that fits inside the body wall.
   */
  cavityExterior(): Shape {
    const huge = 1e5;
    return new FunctionShape({ min: [-huge, -huge, -huge], max: [huge, huge, huge] }, (x, y, z) => {
      const rho = Math.sqrt(x * x + y * y);
      if (rho < 1e-9) return this.cavityRadius(0, z);
      const c = x / rho;
      const s = y / rho;
      return this.innerRadiusDir(c, s, z) - this.muscleThicknessDir(s) - rho;
    });
  }

  /**
   * Paints air, fat, muscle, ribs and cavity over the whole grid. The angle-only terms are
   * computed once per in-plane pixel and reused on every slice.
   */
  paint(grid: VoxelGrid, tissue: Uint8Array): void {
    const [ni, nj, nk] = grid.shape;
    const [sx, sy, sz] = grid.spacing;
    const [ox, oy, oz] = grid.origin;
    const p = this.patient;
    const pixels = ni * nj;
    const rho = new Float32Array(pixels);
    const baseRadius = new Float32Array(pixels);
    const fat = new Float32Array(pixels);
    const muscle = new Float32Array(pixels);
    const phi = new Float32Array(pixels);
    const side = new Int8Array(pixels);
    for (let j = 0; j < nj; j++) {
      const y = oy + j * sy;
      for (let i = 0; i < ni; i++) {
        const x = ox + i * sx;
        const q = j * ni + i;
        const theta = Math.atan2(y, x);
        rho[q] = Math.hypot(x, y);
        baseRadius[q] = this.innerRadius(theta, 0);
        fat[q] = this.fatThickness(theta);
        muscle[q] = this.muscleThickness(theta);
        // Angle from the posterior midline: cos(phi) = direction . (0, -1).
        phi[q] = Math.acos(Math.max(-1, Math.min(1, -Math.sin(theta))));
        side[q] = x >= 0 ? 1 : -1;
      }
    }
    for (let k = 0; k < nk; k++) {
      const z = oz + k * sz;
      const widen = 1 - (p.caudalWidening * z) / 100;
      const slice = k * pixels;
      for (let q = 0; q < pixels; q++) {
        const inner = baseRadius[q] * widen;
        const depth = inner + fat[q] - rho[q];
        let t: number;
        if (depth < 0) t = Tissue.air;
        else if (depth < fat[q]) t = Tissue.subcutaneousFat;
        else if (depth < fat[q] + muscle[q]) {
          const rib = this.ribs.length > 0 ? ribTissueAt(this.ribs, phi[q], side[q], depth - fat[q], z) : -1;
          t = rib >= 0 ? rib : Tissue.muscle;
        } else t = Tissue.visceralFat;
        tissue[slice + q] = t;
      }
    }
  }
}
