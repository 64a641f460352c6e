// Spleen: a flattened ellipsoid high in the left upper quadrant against the posterolateral ribs,
// its long axis along the 10th rib, with a concave visceral surface (hilum) facing forwards and
// inwards. Typical adult size ~11 x 7 x 4 cm, ~150-250 ml.

import { degrees, type Vec3 } from "../geometry.js";
import type { SeededRandom } from "../prng.js";
import { DeformedEllipsoid, randomBumps } from "../shapes.js";

interface Spleen {
  ellipsoid: DeformedEllipsoid;
  /** Where the splenic vessels enter, mm. */
  hilum: Vec3;
}

export function buildSpleen(
  rng: SeededRandom,
  scale: number,
  organScale: number,
  keepInside: (center: Vec3, clearanceMm: number) => Vec3,
): Spleen {
  const s = scale * organScale;
  // Local axes: x thickness (towards the ribs), y width, z length.
  const semiAxes: Vec3 = [rng.range(19, 23) * s, rng.range(34, 40) * s, rng.range(50, 58) * s];
  const center = keepInside(
    [rng.range(82, 92) * scale, rng.range(-30, -18) * scale, rng.range(38, 52) * scale],
    semiAxes[0] + 4,
  );
  const rotation: Vec3 = [degrees(rng.range(18, 30)), degrees(rng.range(-8, 8)), -degrees(rng.range(32, 48))];
  const hilumDirection: Vec3 = [-0.75, 0.66, -0.05];
  const frame = new DeformedEllipsoid({ center, semiAxes, rotation });
  const ellipsoid = new DeformedEllipsoid({
    center,
    semiAxes,
    rotation,
    bumps: [
      { direction: frame.normalisedDirection(hilumDirection), amplitude: -rng.range(0.22, 0.3), width: 0.55 },
      ...randomBumps(rng, 4, 0.07),
    ],
  });
  const reach = semiAxes[0] * 0.9;
  const hilum: Vec3 = [
    center[0] + hilumDirection[0] * reach,
    center[1] + hilumDirection[1] * reach,
    center[2] - 8,
  ];
  return { ellipsoid, hilum };
}
