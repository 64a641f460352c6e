import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ContrastPhase,
  FEDERATION_SITES,
  generatePhantom,
  PHANTOM_ORGAN_LABELS as L,
  type Phantom,
  Tissue,
} from "../../../src/data/phantom/index.js";
import type { Volume } from "../../../src/data/volume.js";
import { erode, inPlaneResidual, maskOf, statsIn } from "./measure.js";

/**
 * Realistic mean attenuation (HU) of each organ's interior per contrast phase: unenhanced liver
 * 50-70, spleen 40-55, pancreas 35-55, kidney 25-40; arterial (late, pancreatic) phase spleen
 * mottled ~100-140, pancreas ~100-130, renal cortex 150-200 with darker medulla; portal-venous
 * liver ~100-110, spleen ~110, pancreas ~80-100, kidneys ~150-170.
 */
const HU_RANGES: Record<
  ContrastPhase,
  Record<"liver" | "spleen" | "pancreas" | "kidney", [number, number]>
> = {
  none: { liver: [45, 75], spleen: [38, 62], pancreas: [30, 60], kidney: [20, 45] },
  arterial: { liver: [55, 95], spleen: [85, 155], pancreas: [80, 140], kidney: [110, 210] },
  "portal-venous": { liver: [85, 130], spleen: [90, 135], pancreas: [65, 115], kidney: [120, 190] },
};

/** Interior (one voxel in from the surface) of a label, so partial volume does not bias means. */
const interior = (v: Volume, value: number) => erode(maskOf(v, value), v.shape);

/** Demo-size phantoms shared between tests (each takes a few hundred ms to make). */
const cache = new Map<string, Phantom>();
function demoPhantom(seed: number, phase: ContrastPhase): Phantom {
  const key = `${seed}/${phase}`;
  let p = cache.get(key);
  if (!p) {
    p = generatePhantom({ seed, size: "demo", style: { phase } });
    cache.set(key, p);
  }
  return p;
}

function organMean(p: Phantom, organ: "liver" | "spleen" | "pancreas" | "kidney"): number {
  return statsIn(p.image.data as Int16Array, interior(p.labels, L[organ])).mean;
}

describe("phantom intensities", () => {
  for (const phase of ["none", "arterial", "portal-venous"] as const) {
    test(`mean organ HU is realistic in the ${phase} phase`, () => {
      for (const seed of [31, 32]) {
        const p = demoPhantom(seed, phase);
        for (const organ of ["liver", "spleen", "pancreas", "kidney"] as const) {
          const mean = organMean(p, organ);
          const [lo, hi] = HU_RANGES[phase][organ];
          assert.ok(
            mean >= lo && mean <= hi,
            `${phase} ${organ}: ${mean.toFixed(1)} HU not in [${lo}, ${hi}] (seed ${seed})`,
          );
        }
      }
    });
  }

  test("background tissues have their textbook HU", () => {
    const p = generatePhantom({ seed: 33, size: "demo", style: { table: false } });
    const image = p.image.data as Int16Array;
    const tissueMean = (t: number) => statsIn(image, interior(p.tissue, t)).mean;
    const air = tissueMean(Tissue.air);
    assert.ok(air >= -1024 && air <= -985, `air ${air}`);
    const fat = tissueMean(Tissue.subcutaneousFat);
    assert.ok(fat >= -125 && fat <= -75, `subcutaneous fat ${fat}`);
    const muscle = tissueMean(Tissue.muscle);
    assert.ok(muscle >= 25 && muscle <= 75, `muscle ${muscle}`);
    const marrow = tissueMean(Tissue.boneMarrow);
    assert.ok(marrow >= 150 && marrow <= 360, `marrow ${marrow}`);
    // Thin cortical bone is blurred by partial volume; its brightest voxels are still dense bone.
    let maxCortex = -Infinity;
    const tissue = p.tissue.data as Uint8Array;
    for (let q = 0; q < tissue.length; q++)
      if (tissue[q] === Tissue.boneCortex) maxCortex = Math.max(maxCortex, image[q]);
    assert.ok(maxCortex > 600, `cortical bone max ${maxCortex}`);
    assert.ok(
      image.every((v) => v >= -1024 && v <= 3071),
      "stored values stay in the CT range",
    );
  });

  test("the style's offset and gain shift intensities as configured", () => {
    const base = generatePhantom({ seed: 34, size: "tiny", style: { noiseStdHu: 5 } });
    const shifted = generatePhantom({ seed: 34, size: "tiny", style: { noiseStdHu: 5, offsetHu: 30 } });
    const scaled = generatePhantom({ seed: 34, size: "tiny", style: { noiseStdHu: 5, gain: 1.1 } });
    const liver = interior(base.labels, L.liver);
    const m0 = statsIn(base.image.data as Int16Array, liver).mean;
    const m1 = statsIn(shifted.image.data as Int16Array, liver).mean;
    const m2 = statsIn(scaled.image.data as Int16Array, liver).mean;
    assert.ok(Math.abs(m1 - m0 - 30) < 1, `offset: ${m0} -> ${m1}`);
    assert.ok(Math.abs(m2 / m0 - 1.1) < 0.02, `gain: ${m0} -> ${m2}`);
  });

  test("the style's noise level shows in the image", () => {
    const quiet = generatePhantom({ seed: 35, size: "demo", style: { noiseStdHu: 4 } });
    const noisy = generatePhantom({ seed: 35, size: "demo", style: { noiseStdHu: 30 } });
    const liver = interior(quiet.labels, L.liver);
    const q = statsIn(inPlaneResidual(quiet.image), liver).std;
    const n = statsIn(inPlaneResidual(noisy.image), liver).std;
    assert.ok(n > 3 * q, `residual std ${q.toFixed(1)} vs ${n.toFixed(1)}`);
  });

  test("the contrast phase changes organ HU the way contrast does", () => {
    const mean = (phase: ContrastPhase) => {
      const p = demoPhantom(31, phase);
      return {
        liver: organMean(p, "liver"),
        kidney: organMean(p, "kidney"),
        aorta: statsIn(p.image.data as Int16Array, interior(p.tissue, Tissue.aorta)).mean,
      };
    };
    const none = mean("none");
    const arterial = mean("arterial");
    const venous = mean("portal-venous");
    assert.ok(arterial.aorta > 250 && arterial.aorta > venous.aorta && venous.aorta > none.aorta + 80);
    assert.ok(venous.liver > arterial.liver + 15 && arterial.liver > none.liver);
    assert.ok(arterial.kidney > none.kidney + 70 && venous.kidney > none.kidney + 70);
  });

  test("the four site styles really differ", () => {
    const sites = FEDERATION_SITES.map((site) => ({
      site,
      phantom: generatePhantom({ seed: 37, size: "tiny", style: site.style }),
    }));
    const byName = Object.fromEntries(sites.map((s) => [s.site.organ, s.phantom]));
    const spacings = new Set(sites.map((s) => s.phantom.grid.spacing.join("x")));
    assert.equal(spacings.size, 4, "each site has its own voxel spacing");
    assert.equal(
      new Set(sites.map((s) => s.phantom.style.phase)).size,
      2,
      "two contrast phases among the sites",
    );
    // Liver HU (the liver is visible at every site): portal-venous liver site vs arterial pancreas site.
    const liverHu = (p: Phantom) => statsIn(p.image.data as Int16Array, interior(p.labels, L.liver)).mean;
    assert.ok(liverHu(byName.liver) > liverHu(byName.pancreas) + 20, "portal-venous vs arterial liver");
    // Noise: the low-dose spleen site vs the sharp, low-noise pancreas site.
    const noise = (p: Phantom) => statsIn(inPlaneResidual(p.image), interior(p.labels, L.liver)).std;
    assert.ok(noise(byName.spleen) > 1.5 * noise(byName.pancreas), "noise differs");
    // Orientation and padding outside the reconstruction circle.
    assert.ok(byName.liver.image.affine[0][0] < 0 && byName.kidney.image.affine[0][0] < 0, "LPS sites");
    assert.ok(byName.spleen.image.affine[0][0] > 0 && byName.pancreas.image.affine[0][0] > 0, "RAS sites");
    assert.equal(byName.spleen.image.data[0], -1024);
    assert.equal(byName.pancreas.image.data[0], -2048);
    // Field of view: the spleen site crops the body, so body voxels touch the image's side.
    const touchesSide = (p: Phantom) => {
      const [ni, nj, nk] = p.image.shape;
      const t = p.tissue.data as Uint8Array;
      for (let k = 0; k < nk; k++)
        for (let j = 0; j < nj; j++) {
          const row = (k * nj + j) * ni;
          const body = (v: number) => v !== Tissue.air && v !== Tissue.table;
          if (body(t[row]) || body(t[row + ni - 1])) return true;
        }
      return false;
    };
    assert.ok(touchesSide(byName.spleen) && !touchesSide(byName.kidney));
  });
});
