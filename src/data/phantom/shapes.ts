// Implicit 3D shapes for organs and vessels. Each shape answers "how far inside am I?" through a
// level function that is negative inside, zero on the surface and roughly millimetres (measured
// along the ray from the shape's centre, so never smaller than the true distance to the surface).
// Shapes know their bounding box so the rasteriser only visits voxels that can be inside.

import {
  type Box,
  boxContains,
  boxGrow,
  boxUnion,
  type FlatMat3,
  mulVec,
  normalize,
  rotationLocalToWorld,
  transpose,
  type Vec3,
} from "./geometry.js";
import type { SeededRandom } from "./prng.js";

export interface Shape {
  readonly bounds: Box;
  /** Negative inside, about millimetres from the surface. */
  level(x: number, y: number, z: number): number;
}

/** A radial bump on an ellipsoid's surface: direction in the unit-sphere frame, relative height. */
interface SurfaceBump {
  /** Direction in the ellipsoid's normalised frame (local coordinates divided by the semi-axes). */
  direction: Vec3;
  /** Relative change of the radius at the bump's centre (+0.1 = 10% outwards, negative = a dent). */
  amplitude: number;
  /** Angular width (radians-ish): larger is broader. */
  width: number;
}

interface EllipsoidSpec {
  center: Vec3;
  semiAxes: Vec3;
  /** Euler angles (rx, ry, rz) in radians, local -> world as Rz*Ry*Rx. */
  rotation?: Vec3;
  bumps?: SurfaceBump[];
}

/**
 * An ellipsoid whose radius is modulated by smooth Gaussian bumps on the sphere of directions:
 * the cheapest way to get organ-like, seed-dependent, still star-shaped outlines.
 */
export class DeformedEllipsoid implements Shape {
  readonly bounds: Box;
  readonly center: Vec3;
  readonly semiAxes: Vec3;
  /** World -> local rotation (rows are local axes in world coordinates). */
  readonly worldToLocal: FlatMat3;
  private readonly bumpDir: Float64Array;
  private readonly bumpAmp: Float64Array;
  private readonly bumpInvW2: Float64Array;

  constructor(spec: EllipsoidSpec) {
    this.center = spec.center;
    this.semiAxes = spec.semiAxes;
    const [rx, ry, rz] = spec.rotation ?? [0, 0, 0];
    const localToWorld = rotationLocalToWorld(rx, ry, rz);
    this.worldToLocal = transpose(localToWorld);
    const bumps = spec.bumps ?? [];
    this.bumpDir = new Float64Array(bumps.length * 3);
    this.bumpAmp = new Float64Array(bumps.length);
    this.bumpInvW2 = new Float64Array(bumps.length);
    let maxGrowth = 0;
    bumps.forEach((b, k) => {
      const d = normalize(b.direction);
      this.bumpDir.set(d, 3 * k);
      this.bumpAmp[k] = b.amplitude;
      this.bumpInvW2[k] = 1 / (b.width * b.width);
      maxGrowth += Math.max(0, b.amplitude);
    });
    // World half-extent along axis i of a rotated ellipsoid: norm of row i of R * diag(axes).
    const half: number[] = [];
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += (localToWorld[3 * i + j] * spec.semiAxes[j]) ** 2;
      half.push(Math.sqrt(s) * (1 + maxGrowth));
    }
    this.bounds = {
      min: [this.center[0] - half[0], this.center[1] - half[1], this.center[2] - half[2]],
      max: [this.center[0] + half[0], this.center[1] + half[1], this.center[2] + half[2]],
    };
  }

  /** Writes the local (rotated, unscaled) coordinates of a world point into `out`. */
  toLocal(x: number, y: number, z: number, out: Float64Array): void {
    const m = this.worldToLocal;
    const dx = x - this.center[0];
    const dy = y - this.center[1];
    const dz = z - this.center[2];
    out[0] = m[0] * dx + m[1] * dy + m[2] * dz;
    out[1] = m[3] * dx + m[4] * dy + m[5] * dz;
    out[2] = m[6] * dx + m[7] * dy + m[8] * dz;
  }

  /** A world-space direction expressed in the normalised frame where bumps live. */
  normalisedDirection(worldDir: Vec3): Vec3 {
    const l = mulVec(this.worldToLocal, worldDir);
    return normalize([l[0] / this.semiAxes[0], l[1] / this.semiAxes[1], l[2] / this.semiAxes[2]]);
  }

  level(x: number, y: number, z: number): number {
    const m = this.worldToLocal;
    const [a, b, c] = this.semiAxes;
    const dx = x - this.center[0];
    const dy = y - this.center[1];
    const dz = z - this.center[2];
    const qx = (m[0] * dx + m[1] * dy + m[2] * dz) / a;
    const qy = (m[3] * dx + m[4] * dy + m[5] * dz) / b;
    const qz = (m[6] * dx + m[7] * dy + m[8] * dz) / c;
    const rho = Math.sqrt(qx * qx + qy * qy + qz * qz);
    if (rho < 1e-9) return -Math.min(a, b, c);
    const nx = qx / rho;
    const ny = qy / rho;
    const nz = qz / rho;
    let radius = 1;
    const dir = this.bumpDir;
    for (let k = 0; k < this.bumpAmp.length; k++) {
      const dot = nx * dir[3 * k] + ny * dir[3 * k + 1] + nz * dir[3 * k + 2];
      const e = (dot - 1) * this.bumpInvW2[k];
      // Beyond e < -9 a bump adds under 0.01% of its amplitude: skip the exp.
      if (e > -9) radius += this.bumpAmp[k] * Math.exp(e);
    }
    // Millimetres per unit of normalised radius along this ray.
    const mmPerUnit = Math.sqrt((a * nx) ** 2 + (b * ny) ** 2 + (c * nz) ** 2);
    return (rho - radius) * mmPerUnit;
  }
}

/** `count` random bumps with amplitudes ~ N(0, amplitudeStd) and widths in [minWidth, maxWidth]. */
export function randomBumps(
  rng: SeededRandom,
  count: number,
  amplitudeStd: number,
  minWidth = 0.45,
  maxWidth = 0.9,
): SurfaceBump[] {
  const bumps: SurfaceBump[] = [];
  for (let k = 0; k < count; k++) {
    bumps.push({
      direction: normalize([rng.normal(), rng.normal(), rng.normal()]),
      amplitude: Math.max(-0.35, Math.min(0.35, rng.gaussian(0, amplitudeStd))),
      width: rng.range(minWidth, maxWidth),
    });
  }
  return bumps;
}

/**
 * A tube of varying radius around a polyline (pancreas, bowel, vessels). `axisScale` stretches
 * space before measuring, e.g. y 1.4 makes the cross-section flatter front-to-back.
 */
export class Tube implements Shape {
  readonly bounds: Box;
  /** Per segment, in scaled space: start point, edge vector, 1/|edge|^2, radii at both ends. */
  private readonly seg: Float64Array;
  private readonly segments: number;
  private readonly sx: number;
  private readonly sy: number;
  private readonly sz: number;

  constructor(points: Vec3[], radii: number[], axisScale: Vec3 = [1, 1, 1]) {
    if (points.length < 2 || radii.length !== points.length) {
      throw new RangeError("Tube needs at least two points and one radius per point");
    }
    [this.sx, this.sy, this.sz] = axisScale;
    const { sx, sy, sz } = this;
    this.segments = points.length - 1;
    this.seg = new Float64Array(this.segments * 9);
    for (let s = 0; s < this.segments; s++) {
      const [a, b] = [points[s], points[s + 1]];
      const e = [(b[0] - a[0]) * sx, (b[1] - a[1]) * sy, (b[2] - a[2]) * sz];
      const len2 = e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
      this.seg.set(
        [a[0] * sx, a[1] * sy, a[2] * sz, e[0], e[1], e[2], len2 > 0 ? 1 / len2 : 0, radii[s], radii[s + 1]],
        9 * s,
      );
    }
    let box: Box | null = null;
    points.forEach((p, i) => {
      const r = radii[i];
      const b: Box = {
        min: [p[0] - r / sx, p[1] - r / sy, p[2] - r / sz],
        max: [p[0] + r / sx, p[1] + r / sy, p[2] + r / sz],
      };
      box = box ? boxUnion(box, b) : b;
    });
    this.bounds = box!;
  }

  level(x: number, y: number, z: number): number {
    const g = this.seg;
    const qx = x * this.sx;
    const qy = y * this.sy;
    const qz = z * this.sz;
    let best = Number.POSITIVE_INFINITY;
    for (let s = 0, o = 0; s < this.segments; s++, o += 9) {
      const px = qx - g[o];
      const py = qy - g[o + 1];
      const pz = qz - g[o + 2];
      const ex = g[o + 3];
      const ey = g[o + 4];
      const ez = g[o + 5];
      let t = (px * ex + py * ey + pz * ez) * g[o + 6];
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const dx = px - t * ex;
      const dy = py - t * ey;
      const dz = pz - t * ez;
      const d = Math.sqrt(dx * dx + dy * dy + dz * dz) - (g[o + 7] + t * (g[o + 8] - g[o + 7]));
      if (d < best) best = d;
    }
    return best;
  }
}

interface ExtrudedEllipseSpec {
  /** Axial centre (x, y) at z = 0 and its change per mm of z. */
  center: [number, number];
  centerSlope?: [number, number];
  /** Axial semi-axes at z = 0 and their change per mm of z. */
  semiAxes: [number, number];
  semiAxesSlope?: [number, number];
  zMin: number;
  zMax: number;
}

/** An axial ellipse swept along z with linearly varying centre and size (aorta, IVC, muscles). */
export class ExtrudedEllipse implements Shape {
  readonly bounds: Box;
  private readonly spec: Required<ExtrudedEllipseSpec>;

  constructor(spec: ExtrudedEllipseSpec) {
    this.spec = { centerSlope: [0, 0], semiAxesSlope: [0, 0], ...spec };
    const at = (z: number) => {
      const [cx, cy] = this.centerAt(z);
      const [ax, ay] = this.semiAt(z);
      return { min: [cx - ax, cy - ay, z] as Vec3, max: [cx + ax, cy + ay, z] as Vec3 };
    };
    this.bounds = boxUnion(at(spec.zMin), at(spec.zMax));
  }

  private centerAt(z: number): [number, number] {
    const s = this.spec;
    return [s.center[0] + s.centerSlope[0] * z, s.center[1] + s.centerSlope[1] * z];
  }

  private semiAt(z: number): [number, number] {
    const s = this.spec;
    return [
      Math.max(0, s.semiAxes[0] + s.semiAxesSlope[0] * z),
      Math.max(0, s.semiAxes[1] + s.semiAxesSlope[1] * z),
    ];
  }

  level(x: number, y: number, z: number): number {
    const s = this.spec;
    const ax = s.semiAxes[0] + s.semiAxesSlope[0] * z;
    const ay = s.semiAxes[1] + s.semiAxesSlope[1] * z;
    const capLevel = Math.max(s.zMin - z, z - s.zMax);
    if (ax <= 0.25 || ay <= 0.25) return Math.max(capLevel, 1);
    const qx = (x - s.center[0] - s.centerSlope[0] * z) / ax;
    const qy = (y - s.center[1] - s.centerSlope[1] * z) / ay;
    const rho = Math.sqrt(qx * qx + qy * qy);
    if (rho < 1e-9) return Math.max(capLevel, -Math.min(ax, ay));
    const mmPerUnit = Math.sqrt((ax * qx) ** 2 + (ay * qy) ** 2) / rho;
    return Math.max(capLevel, (rho - 1) * mmPerUnit);
  }
}

/** Polynomial smooth minimum: a union whose seam is rounded over about `k` mm. */
export class SmoothUnion implements Shape {
  readonly bounds: Box;
  constructor(
    private readonly parts: Shape[],
    private readonly k: number,
  ) {
    this.bounds = boxGrow(parts.map((p) => p.bounds).reduce(boxUnion), k / 4);
  }

  level(x: number, y: number, z: number): number {
    let d = this.parts[0].level(x, y, z);
    for (let i = 1; i < this.parts.length; i++) {
      const e = this.parts[i].level(x, y, z);
      const h = Math.max(this.k - Math.abs(d - e), 0) / this.k;
      d = Math.min(d, e) - (h * h * this.k) / 4;
    }
    return d;
  }
}

/**
 * `base` minus every cutter grown by `marginMm`: how neighbouring organs leave impressions on
 * each other (the liver's renal impression, the spleen's hilum) without ever overlapping.
 */
export class Carved implements Shape {
  readonly bounds: Box;
  private readonly cutterBoxes: Box[];
  constructor(
    private readonly base: Shape,
    private readonly cutters: Shape[],
    private readonly marginMm: number,
  ) {
    this.bounds = base.bounds;
    this.cutterBoxes = cutters.map((c) => boxGrow(c.bounds, marginMm));
  }

  level(x: number, y: number, z: number): number {
    let d = this.base.level(x, y, z);
    if (d >= 0) return d;
    for (let i = 0; i < this.cutters.length; i++) {
      // Outside the grown box the cutter's level exceeds the margin, so it cannot cut here.
      if (!boxContains(this.cutterBoxes[i], x, y, z)) continue;
      const cut = this.marginMm - this.cutters[i].level(x, y, z);
      if (cut > d) d = cut;
    }
    return d;
  }
}

/** A shape defined by a function, for boundaries computed elsewhere (the body cavity). */
export class FunctionShape implements Shape {
  constructor(
    readonly bounds: Box,
    private readonly fn: (x: number, y: number, z: number) => number,
  ) {}
  level(x: number, y: number, z: number): number {
    return this.fn(x, y, z);
  }
}
