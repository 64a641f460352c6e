// Back muscles next to the spine: the erector spinae behind the transverse processes, and the
// psoas, which appears beside the vertebral bodies around T12 and thickens towards the pelvis.

import type { SeededRandom } from "../prng.js";
import { ExtrudedEllipse } from "../shapes.js";
import type { SpineGeometry } from "./spine.js";

interface BackMuscles {
  paraspinal: ExtrudedEllipse[];
  psoas: ExtrudedEllipse[];
}

export function buildBackMuscles(rng: SeededRandom, scale: number, spine: SpineGeometry): BackMuscles {
  const paraspinal: ExtrudedEllipse[] = [];
  const psoas: ExtrudedEllipse[] = [];
  for (const side of [-1, 1]) {
    const halfWidth = rng.range(20, 25) * scale;
    const halfDepth = rng.range(16, 20) * scale;
    paraspinal.push(
      new ExtrudedEllipse({
        center: [side * (halfWidth + 6 * scale), spine.canalY - halfDepth * 0.6],
        semiAxes: [halfWidth, halfDepth],
        zMin: spine.zMin,
        zMax: spine.zMax,
      }),
    );
    // Radius grows linearly below its origin: ~5 mm at the top to ~25 mm 120 mm lower.
    const originZ = rng.range(10, 35) * scale;
    const growth = rng.range(0.15, 0.2);
    const radiusAt0 = 4 + growth * originZ;
    psoas.push(
      new ExtrudedEllipse({
        center: [side * (spine.bodyHalfWidth + 2 + radiusAt0 * 0.8), spine.bodyY + 2],
        centerSlope: [-side * growth * 0.8, 0],
        semiAxes: [radiusAt0, radiusAt0 * 0.85],
        semiAxesSlope: [-growth, -growth * 0.85],
        zMin: spine.zMin,
        zMax: originZ,
      }),
    );
  }
  return { paraspinal, psoas };
}
