// Kidneys: bean-shaped (an ellipsoid with a deep dent at the hilum, which faces forwards and
// inwards), upper poles tilted towards the spine and backwards, the right one lower than the left
// because the liver sits above it. Cortex forms a ~6 mm rim and the columns between medullary
// pyramids, which is what makes the corticomedullary (arterial) phase look the way it does.

import { degrees, type Vec3 } from "../geometry.js";
import { Tissue } from "../labels.js";
import type { TissueChooser } from "../paint.js";
import type { SeededRandom } from "../prng.js";
import { DeformedEllipsoid, randomBumps } from "../shapes.js";
import type { SpineGeometry } from "./spine.js";

interface Kidney {
  /** +1 left (+x), -1 right. */
  side: number;
  ellipsoid: DeformedEllipsoid;
  /** Unit vector pointing out of the hilum (forwards and medially). */
  hilumDirection: Vec3;
  /** Chooses cortex or medulla inside the kidney. */
  tissue: TissueChooser;
}

export function buildKidney(
  rng: SeededRandom,
  side: number,
  scale: number,
  organScale: number,
  spine: SpineGeometry,
  keepInside: (center: Vec3, clearanceMm: number) => Vec3,
): Kidney {
  const s = scale * organScale;
  const semiAxes: Vec3 = [rng.range(29, 33) * s, rng.range(21, 24) * s, rng.range(52, 58) * s];
  const center = keepInside(
    [
      side * rng.range(68, 76) * scale,
      spine.bodyY - rng.range(3, 9) * scale,
      (side > 0 ? rng.range(-14, 0) : rng.range(-30, -16)) * scale,
    ],
    (semiAxes[0] + semiAxes[1]) / 2 + 3,
  );
  const rotation: Vec3 = [
    degrees(rng.range(8, 16)),
    -side * degrees(rng.range(10, 20)),
    -side * degrees(rng.range(28, 42)),
  ];
  const hilumAngle = degrees(rng.range(30, 45));
  const hilumDirection: Vec3 = [-side * Math.cos(hilumAngle), Math.sin(hilumAngle), 0];
  const frame = new DeformedEllipsoid({ center, semiAxes, rotation });
  const ellipsoid = new DeformedEllipsoid({
    center,
    semiAxes,
    rotation,
    bumps: [
      {
        direction: frame.normalisedDirection(hilumDirection),
        amplitude: -rng.range(0.32, 0.42),
        width: 0.42,
      },
      ...randomBumps(rng, 3, 0.05),
    ],
  });
  const cortexMm = rng.range(5, 7) * scale;
  const cortex = side > 0 ? Tissue.leftKidneyCortex : Tissue.rightKidneyCortex;
  const medulla = side > 0 ? Tissue.leftKidneyMedulla : Tissue.rightKidneyMedulla;
  const pyramids = rng.int(3) + 6;
  const twist = rng.range(0, Math.PI);
  const local = new Float64Array(3);
  const tissue: TissueChooser = (level, x, y, z) => {
    if (level > -cortexMm) return cortex;
    ellipsoid.toLocal(x, y, z, local);
    // Pyramids around the long axis, in three tiers from pole to pole; cortex between them.
    const around = Math.atan2(local[1] / semiAxes[1], local[0] / semiAxes[0]);
    const along = local[2] / semiAxes[2];
    const pattern =
      (0.5 + 0.5 * Math.cos(pyramids * around + twist)) * (0.5 + 0.5 * Math.cos(3 * Math.PI * along));
    return pattern > 0.15 ? medulla : cortex;
  };
  return { side, ellipsoid, hilumDirection, tissue };
}

/** The renal sinus fat filling the hilum's dent. */
export function renalSinus(kidney: Kidney): DeformedEllipsoid {
  const e = kidney.ellipsoid;
  const [a, b, c] = e.semiAxes;
  const d = kidney.hilumDirection;
  const reach = a * 0.6;
  return new DeformedEllipsoid({
    center: [e.center[0] + d[0] * reach, e.center[1] + d[1] * reach, e.center[2]],
    semiAxes: [a * 0.45, b * 0.55, c * 0.4],
  });
}
