// The lung bases: in the top slices of an abdominal scan the posterior costophrenic recesses
// reach down behind the liver and spleen. Painted into what is left of the cavity up there.

import type { SeededRandom } from "../prng.js";
import { DeformedEllipsoid, randomBumps } from "../shapes.js";

export function buildLungBases(rng: SeededRandom, scale: number): DeformedEllipsoid[] {
  return [-1, 1].map(
    (side) =>
      new DeformedEllipsoid({
        center: [side * rng.range(85, 100) * scale, rng.range(-55, -40) * scale, rng.range(125, 140) * scale],
        semiAxes: [rng.range(45, 55) * scale, rng.range(45, 55) * scale, rng.range(60, 70) * scale],
        bumps: randomBumps(rng, 3, 0.06),
      }),
  );
}
