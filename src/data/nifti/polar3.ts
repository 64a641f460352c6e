// 3x3 linear algebra the geometry code needs: the orthogonal factor of a polar decomposition (the
// rotation closest to a matrix, as nibabel takes it from an SVD), built on a Jacobi eigen-solver.

export type Mat3 = number[][];

function transpose3(m: Mat3): Mat3 {
  return [0, 1, 2].map((i) => [m[0][i], m[1][i], m[2][i]]);
}

export function multiply3(a: Mat3, b: Mat3): Mat3 {
  return [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j]),
  );
}

export function determinant3(m: Mat3): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

const IDENTITY: Mat3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** Eigenvalues and eigenvectors (the columns of `vectors`) of a symmetric 3x3 matrix, by cyclic Jacobi. */
function symmetricEigen3(m: Mat3): { values: number[]; vectors: Mat3 } {
  let a = m.map((row) => row.slice());
  let v = IDENTITY.map((row) => row.slice());
  const scale = Math.max(1e-300, ...a.flat().map(Math.abs));
  for (let sweep = 0; sweep < 64; sweep++) {
    const off = Math.abs(a[0][1]) + Math.abs(a[0][2]) + Math.abs(a[1][2]);
    if (off <= scale * 1e-17) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      if (a[p][q] === 0) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      const rot = IDENTITY.map((row) => row.slice());
      rot[p][p] = c;
      rot[q][q] = c;
      rot[p][q] = s;
      rot[q][p] = -s;
      a = multiply3(transpose3(rot), multiply3(a, rot));
      a[p][q] = 0;
      a[q][p] = 0;
      v = multiply3(v, rot);
    }
  }
  return { values: [a[0][0], a[1][1], a[2][2]], vectors: v };
}

/**
 * The orthogonal factor R of m = R * P. Directions whose singular value is at or below
 * `tolerance(largest singular value)` are dropped (their contribution to R is zero), the rule
 * nibabel's io_orientation uses to find the rank; by default nothing is dropped.
 */
export function polarOrthogonal(m: Mat3, tolerance: (sMax: number) => number = () => 0): Mat3 {
  const { values, vectors } = symmetricEigen3(multiply3(transpose3(m), m));
  const singular = values.map((x) => Math.sqrt(Math.max(0, x)));
  const tol = tolerance(Math.max(...singular));
  const r: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let k = 0; k < 3; k++) {
    if (!(singular[k] > tol)) continue;
    const vk = [vectors[0][k], vectors[1][k], vectors[2][k]];
    // u_k = m v_k / s_k, then R += u_k v_k^T
    const uk = [0, 1, 2].map((i) => (m[i][0] * vk[0] + m[i][1] * vk[1] + m[i][2] * vk[2]) / singular[k]);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[i][j] += uk[i] * vk[j];
  }
  return r;
}
