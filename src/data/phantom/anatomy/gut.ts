// Stomach and bowel: the unlabelled soft tissue, fluid and gas that fill the rest of the
// abdomen and make segmentation hard (similar HU to the organs, touching them). Painted after
// the organs, only into what is still visceral fat.

import { degrees, type Vec3 } from "../geometry.js";
import { Tissue } from "../labels.js";
import { type Structure, shapeStructure } from "../paint.js";
import type { SeededRandom } from "../prng.js";
import { DeformedEllipsoid, randomBumps, type Shape, Tube } from "../shapes.js";
import { valueNoiseAt } from "../texture.js";

type Content = "fluid" | "gas" | "stool";

/** Wall of `wallMm`, then the lumen's content; stool is soft matter with irregular gas bubbles. */
function hollowOrgan(
  shape: Shape,
  wallMm: number,
  wallTissue: number,
  content: Content,
  seed = 0,
): Structure {
  return shapeStructure(shape, (level, x, y, z) => {
    if (level > -wallMm) return wallTissue;
    if (content === "gas") return Tissue.gas;
    if (content === "stool") return valueNoiseAt(x, y, z, 7, seed) > 0.62 ? Tissue.gas : Tissue.bowelContent;
    return Tissue.bowelContent;
  });
}

export function buildStomach(rng: SeededRandom, scale: number): Structure {
  const center: Vec3 = [rng.range(40, 56) * scale, rng.range(34, 46) * scale, rng.range(48, 62) * scale];
  const semiAxes: Vec3 = [rng.range(34, 44) * scale, rng.range(26, 34) * scale, rng.range(45, 60) * scale];
  const shape = new DeformedEllipsoid({
    center,
    semiAxes,
    rotation: [degrees(rng.range(-25, -10)), degrees(rng.range(-10, 10)), degrees(rng.range(20, 40))],
    bumps: randomBumps(rng, 5, 0.1),
  });
  // Supine patient: gas rises to the front of the lumen above an air-fluid level.
  const gasAbove = center[1] + semiAxes[1] * rng.range(0.2, 0.6);
  return shapeStructure(shape, (level, _x, y) => {
    if (level > -4 * scale) return Tissue.stomachWall;
    return y > gasAbove ? Tissue.gas : Tissue.stomachContent;
  });
}

/** The duodenal C-loop cradling the pancreatic head. */
export function buildDuodenum(rng: SeededRandom, scale: number, pancreasHead: Vec3): Structure {
  const [hx, hy, hz] = pancreasHead;
  const j = () => rng.gaussian(0, 3);
  const points: Vec3[] = [
    [hx + 6 * scale + j(), hy + 14 * scale + j(), hz + 24 * scale],
    [hx - 18 * scale + j(), hy + 8 * scale + j(), hz + 14 * scale],
    [hx - 26 * scale + j(), hy + j(), hz - 6 * scale],
    [hx - 16 * scale + j(), hy - 2 * scale + j(), hz - 30 * scale],
    [hx + 10 * scale + j(), hy + j(), hz - 36 * scale],
    [hx + 36 * scale + j(), hy + 4 * scale + j(), hz - 30 * scale],
  ];
  const r = rng.range(9, 12) * scale;
  return hollowOrgan(
    new Tube(
      points,
      points.map(() => r),
    ),
    3 * scale,
    Tissue.bowelWall,
    rng.uniform() < 0.3 ? "gas" : "fluid",
  );
}

/** Ascending, transverse and descending colon framing the abdomen. */
export function buildColon(rng: SeededRandom, scale: number): Structure {
  const j = (x: number, y: number, z: number): Vec3 => [
    x * scale + rng.gaussian(0, 5),
    y * scale + rng.gaussian(0, 5),
    z * scale + rng.gaussian(0, 5),
  ];
  const points: Vec3[] = [
    j(-92, 8, -140),
    j(-96, 12, -70),
    j(-88, 24, -22),
    j(-50, 62, -30),
    j(0, 68, -22),
    j(50, 56, -8),
    j(86, 22, 20),
    j(100, -2, -30),
    j(98, 2, -140),
  ];
  const radii = points.map(() => rng.range(15, 22) * scale);
  return hollowOrgan(new Tube(points, radii), 3 * scale, Tissue.bowelWall, "stool", rng.nextUint32());
}

/** Small-bowel loops: random walks in the lower abdomen, fluid- or gas-filled. */
export function buildSmallBowel(rng: SeededRandom, scale: number, loops: number): Structure[] {
  const out: Structure[] = [];
  for (let n = 0; n < loops; n++) {
    let p: Vec3 = [rng.range(-60, 60) * scale, rng.range(0, 60) * scale, rng.range(-130, -30) * scale];
    const points: Vec3[] = [p];
    let heading = rng.range(0, 2 * Math.PI);
    for (let s = 0; s < 5; s++) {
      heading += rng.gaussian(0, 0.9);
      const step = rng.range(20, 30) * scale;
      p = [p[0] + step * Math.cos(heading), p[1] + rng.gaussian(0, 6), p[2] + step * Math.sin(heading)];
      points.push(p);
    }
    const r = rng.range(9, 13) * scale;
    const content: Content = rng.uniform() < 0.25 ? "gas" : "fluid";
    out.push(
      hollowOrgan(
        new Tube(
          points,
          points.map(() => r),
        ),
        2.5 * scale,
        Tissue.bowelWall,
        content,
      ),
    );
  }
  return out;
}
