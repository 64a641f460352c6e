// Small 3D geometry helpers for building anatomy in millimetres, in the anatomy frame (LAS: +x
// patient left, +y anterior, +z superior; grid.ts mirrors it into NIfTI's RAS+ world).

export type Vec3 = [number, number, number];

/** Row-major 3x3 matrix. */
export type FlatMat3 = [number, number, number, number, number, number, number, number, number];

/** Axis-aligned box in millimetres. */
export interface Box {
  min: Vec3;
  max: Vec3;
}

export function boxUnion(a: Box, b: Box): Box {
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

export function boxGrow(b: Box, mm: number): Box {
  return {
    min: [b.min[0] - mm, b.min[1] - mm, b.min[2] - mm],
    max: [b.max[0] + mm, b.max[1] + mm, b.max[2] + mm],
  };
}

/** Whether a point lies inside the box (boundary included). */
export function boxContains(b: Box, x: number, y: number, z: number): boolean {
  return x >= b.min[0] && x <= b.max[0] && y >= b.min[1] && y <= b.max[1] && z >= b.min[2] && z <= b.max[2];
}

/**
 * Rotation taking local coordinates to world: R = Rz(rz) * Ry(ry) * Rx(rx), angles in radians.
 * The rows of its transpose are the local axes expressed in world coordinates.
 */
export function rotationLocalToWorld(rx: number, ry: number, rz: number): FlatMat3 {
  const [cx, sx] = [Math.cos(rx), Math.sin(rx)];
  const [cy, sy] = [Math.cos(ry), Math.sin(ry)];
  const [cz, sz] = [Math.cos(rz), Math.sin(rz)];
  return [
    cz * cy,
    cz * sy * sx - sz * cx,
    cz * sy * cx + sz * sx,
    sz * cy,
    sz * sy * sx + cz * cx,
    sz * sy * cx - cz * sx,
    -sy,
    cy * sx,
    cy * cx,
  ];
}

export function transpose(m: FlatMat3): FlatMat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

export function mulVec(m: FlatMat3, v: Vec3): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

export function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return n > 0 ? [v[0] / n, v[1] / n, v[2] / n] : [1, 0, 0];
}

export function lerp(a: Vec3, b: Vec3, t: number): Vec3 {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function degrees(deg: number): number {
  return (deg * Math.PI) / 180;
}
