// The great vessels in front of the spine and the portal venous system: aorta (left of the
// midline), inferior vena cava (right, moving forwards as it climbs into the liver), and the
// portal vein with its splenic and superior mesenteric tributaries meeting behind the pancreas.

import type { Vec3 } from "../geometry.js";
import type { SeededRandom } from "../prng.js";
import { ExtrudedEllipse, Tube } from "../shapes.js";
import type { SpineGeometry } from "./spine.js";

interface GreatVessels {
  aorta: ExtrudedEllipse;
  ivc: ExtrudedEllipse;
  /** Portal confluence (behind the pancreatic neck) and porta hepatis, mm. */
  confluence: Vec3;
  portaHepatis: Vec3;
  /** Top of the IVC where the hepatic veins drain. */
  ivcTop: Vec3;
  portalVein: Tube;
  splenicVein: Tube;
  mesentericVein: Tube;
}

export function buildGreatVessels(
  rng: SeededRandom,
  scale: number,
  spine: SpineGeometry,
  splenicHilum: Vec3,
): GreatVessels {
  const front = spine.bodyY + spine.bodyHalfDepth;
  const aortaRadius = rng.range(10, 12.5) * scale;
  const aorta = new ExtrudedEllipse({
    center: [rng.range(10, 18) * scale, front + aortaRadius + 2],
    semiAxes: [aortaRadius, aortaRadius],
    zMin: spine.zMin,
    zMax: spine.zMax,
  });
  const ivcHalfWidth = rng.range(11, 14) * scale;
  const ivcHalfDepth = rng.range(7, 10) * scale;
  const ivcY = front + ivcHalfDepth + 1;
  const ivcX = -rng.range(20, 25) * scale;
  const ivcSlopeY = rng.range(0.1, 0.16);
  const ivc = new ExtrudedEllipse({
    center: [ivcX, ivcY],
    centerSlope: [-0.05, ivcSlopeY],
    semiAxes: [ivcHalfWidth, ivcHalfDepth],
    // The IVC drains into the heart above the slab; clamp its forward drift to the slab.
    zMin: spine.zMin,
    zMax: Math.min(spine.zMax, 110 * scale),
  });
  const ivcTopZ = 85 * scale;
  const ivcTop: Vec3 = [ivcX - 0.05 * ivcTopZ, ivcY + ivcSlopeY * ivcTopZ, ivcTopZ];
  const j = () => rng.gaussian(0, 3);
  const confluence: Vec3 = [-8 * scale + j(), front + 24 * scale + j(), -8 * scale + j()];
  const portaHepatis: Vec3 = [-34 * scale + j(), front + 26 * scale + j(), 20 * scale + j()];
  const mid: Vec3 = [
    (confluence[0] + portaHepatis[0]) / 2 - 4,
    (confluence[1] + portaHepatis[1]) / 2,
    (confluence[2] + portaHepatis[2]) / 2,
  ];
  const portalRadius = rng.range(6, 7.5) * scale;
  const portalVein = new Tube(
    [confluence, mid, portaHepatis],
    [portalRadius, portalRadius, portalRadius * 0.9],
  );
  const splenicVein = new Tube(
    [
      confluence,
      [20 * scale, confluence[1] - 8 * scale, confluence[2] + 6 * scale],
      [50 * scale, confluence[1] - 20 * scale, confluence[2] + 14 * scale],
      splenicHilum,
    ],
    [4.5 * scale, 4.5 * scale, 4.2 * scale, 4 * scale],
  );
  const mesentericVein = new Tube(
    [
      confluence,
      [confluence[0] + 2, confluence[1] + 6 * scale, -60 * scale],
      [2 * scale, confluence[1] + 12, -150 * scale],
    ],
    [5 * scale, 5 * scale, 4.5 * scale],
  );
  return { aorta, ivc, confluence, portaHepatis, ivcTop, portalVein, splenicVein, mesentericVein };
}
