// Liver: a large right lobe filling the right upper quadrant up to the diaphragm, joined smoothly
// to a tapering left lobe that crosses the midline in front of the stomach. Neighbours carve
// their impressions into it (right kidney, gallbladder fossa, IVC, porta hepatis). Inside run
// portal and hepatic vein branches, which belong to the liver label as in MSD/LiTS.

import { degrees, lerp, type Vec3 } from "../geometry.js";
import type { SeededRandom } from "../prng.js";
import { DeformedEllipsoid, randomBumps, type Shape, SmoothUnion, Tube } from "../shapes.js";

/** The liver's lobes before neighbours carve it. */
export function buildLiverLobes(rng: SeededRandom, scale: number, organScale: number): Shape {
  const s = scale * organScale;
  const right = new DeformedEllipsoid({
    center: [rng.range(-70, -62) * scale, rng.range(4, 10) * scale, rng.range(32, 40) * scale],
    semiAxes: [rng.range(58, 64) * s, rng.range(66, 73) * s, rng.range(52, 58) * s],
    rotation: [degrees(rng.gaussian(0, 4)), degrees(rng.gaussian(0, 4)), degrees(rng.gaussian(0, 6))],
    bumps: randomBumps(rng, 5, 0.08),
  });
  const left = new DeformedEllipsoid({
    center: [rng.range(2, 14) * scale, rng.range(38, 46) * scale, rng.range(46, 56) * scale],
    semiAxes: [rng.range(50, 60) * s, rng.range(27, 33) * s, rng.range(29, 35) * s],
    rotation: [degrees(rng.gaussian(0, 5)), degrees(rng.range(-18, -6)), degrees(rng.range(-22, -8))],
    bumps: randomBumps(rng, 4, 0.1),
  });
  return new SmoothUnion([right, left], 18 * scale);
}

/** Gallbladder: a pear lying in its fossa under the liver, fundus pointing forwards and down. */
export function buildGallbladder(rng: SeededRandom, scale: number): DeformedEllipsoid {
  const s = scale * rng.jitter(1, 0.12);
  return new DeformedEllipsoid({
    center: [rng.range(-38, -26) * scale, rng.range(34, 44) * scale, rng.range(-8, 2) * scale],
    semiAxes: [14 * s, 13 * s, 32 * s],
    rotation: [degrees(rng.range(-45, -25)), degrees(rng.range(-10, 10)), 0],
    bumps: [{ direction: [0, 0, -1], amplitude: 0.15, width: 0.6 }, ...randomBumps(rng, 2, 0.05)],
  });
}

/** A gently curved branch from `from` to `to`, tapering from r0 to r1. */
function branch(rng: SeededRandom, from: Vec3, to: Vec3, r0: number, r1: number): Tube {
  const bend = (t: number): Vec3 => {
    const p = lerp(from, to, t);
    return [p[0] + rng.gaussian(0, 4), p[1] + rng.gaussian(0, 4), p[2] + rng.gaussian(0, 4)];
  };
  return new Tube([from, bend(0.35), bend(0.7), to], [r0, r0 * 0.8 + r1 * 0.2, r0 * 0.4 + r1 * 0.6, r1]);
}

/**
 * Portal branches from the porta hepatis and hepatic veins converging on the IVC: the vessel
 * pattern that makes liver texture phase-dependent (dark before contrast, bright in portal phase).
 */
export function buildHepaticVessels(
  rng: SeededRandom,
  scale: number,
  portaHepatis: Vec3,
  ivcTop: Vec3,
): Tube[] {
  const j = (p: Vec3): Vec3 => [
    p[0] * scale + rng.gaussian(0, 8),
    p[1] * scale + rng.gaussian(0, 8),
    p[2] * scale + rng.gaussian(0, 8),
  ];
  const tubes: Tube[] = [];
  const rightPortal = j([-88, 0, 32]);
  const leftPortal = j([8, 40, 44]);
  tubes.push(branch(rng, portaHepatis, rightPortal, 6 * scale, 4 * scale));
  tubes.push(branch(rng, portaHepatis, leftPortal, 5 * scale, 3.5 * scale));
  tubes.push(branch(rng, rightPortal, j([-100, 42, 44]), 3.5 * scale, 1.5 * scale));
  tubes.push(branch(rng, rightPortal, j([-106, -38, 22]), 3.5 * scale, 1.5 * scale));
  tubes.push(branch(rng, leftPortal, j([38, 52, 56]), 3 * scale, 1.5 * scale));
  tubes.push(branch(rng, leftPortal, j([-4, 58, 30]), 3 * scale, 1.5 * scale));
  // Hepatic veins: right, middle, left.
  tubes.push(branch(rng, ivcTop, j([-112, 12, 66]), 5.5 * scale, 2 * scale));
  tubes.push(branch(rng, ivcTop, j([-48, 62, 56]), 5 * scale, 2 * scale));
  tubes.push(branch(rng, ivcTop, j([24, 50, 70]), 4.5 * scale, 2 * scale));
  return tubes;
}
