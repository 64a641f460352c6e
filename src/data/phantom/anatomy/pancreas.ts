// Pancreas: a lobulated, front-to-back flattened tube from the head (in the duodenal C-loop,
// right of the midline, lowest) across the midline in front of the aorta and spine, to the tail
// at the splenic hilum (left, highest). ~15 cm long, head ~3 cm, tail ~1.5-2 cm thick, ~60-100 ml.

import type { Vec3 } from "../geometry.js";
import type { SeededRandom } from "../prng.js";
import { Tube } from "../shapes.js";
import type { SpineGeometry } from "./spine.js";

/** Centre-line waypoints (x, y above the spine's front, z) and radii, mm, for an average adult. */
const WAYPOINTS: { at: Vec3; radius: number }[] = [
  { at: [-36, 28, -40], radius: 14 }, // uncinate process
  { at: [-36, 32, -24], radius: 17 }, // head
  { at: [-14, 40, -12], radius: 12.5 }, // neck, in front of the portal confluence
  { at: [14, 38, -2], radius: 12 }, // body, in front of the aorta
  { at: [42, 30, 6], radius: 11 },
  { at: [64, 16, 14], radius: 10 }, // tail
  { at: [80, 2, 20], radius: 8 },
];

export function buildPancreas(
  rng: SeededRandom,
  scale: number,
  organScale: number,
  spine: SpineGeometry,
  splenicHilum: Vec3,
): { shape: Tube; head: Vec3 } {
  const front = spine.bodyY + spine.bodyHalfDepth;
  const shift: Vec3 = [rng.gaussian(0, 3), rng.gaussian(0, 3), rng.gaussian(0, 5)];
  const points: Vec3[] = [];
  const radii: number[] = [];
  WAYPOINTS.forEach(({ at, radius }, n) => {
    const last = n === WAYPOINTS.length - 1;
    // The tail ends near the splenic hilum, whatever the spleen's size.
    const p: Vec3 = last
      ? [splenicHilum[0] - 10 * scale, splenicHilum[1] + 6 * scale, splenicHilum[2] - 6 * scale]
      : [
          at[0] * scale + shift[0] + rng.gaussian(0, 3),
          front + at[1] * scale + shift[1] + rng.gaussian(0, 2),
          at[2] * scale + shift[2] + rng.gaussian(0, 3),
        ];
    points.push(p);
    radii.push(rng.jitter(radius, 0.08) * scale * organScale);
  });
  // Flatter front-to-back than side-to-side.
  return { shape: new Tube(points, radii, [1, 1.25, 1]), head: points[1] };
}
