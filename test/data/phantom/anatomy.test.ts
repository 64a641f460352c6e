import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  generatePhantom,
  PHANTOM_ORGAN_LABELS as L,
  type Phantom,
  rasterizeShape,
  rasterizeStructure,
  Tissue,
  voxelVolumeMl,
} from "../../../src/data/phantom/index.js";
import { componentSizes, maskOf, outsideBody, volumeMl, worldCentroid } from "./measure.js";

/**
 * Adult organ volumes (CT volumetry) for a whole organ inside the 200 mm slab, widened for the
 * phantom's patient-size spread: liver ~1.5 L, spleen ~150-250 ml, pancreas ~60-100 ml, each
 * kidney ~120-200 ml.
 */
const VOLUME_RANGES_ML = {
  liver: [700, 2600],
  spleen: [60, 420],
  pancreas: [35, 160],
  kidneyEach: [70, 290],
} as const;

const SEEDS = [1, 2, 3, 4, 5, 6];
const tinyCases: Phantom[] = SEEDS.map((seed) => generatePhantom({ seed, size: "tiny" }));

const kidneySide = (side: "right" | "left") => {
  const ids =
    side === "right"
      ? [Tissue.rightKidneyCortex, Tissue.rightKidneyMedulla]
      : [Tissue.leftKidneyCortex, Tissue.leftKidneyMedulla];
  return (t: number) => (ids as number[]).includes(t);
};

describe("phantom anatomy", () => {
  test("each organ is present with a plausible volume; the liver is the largest", () => {
    for (const p of tinyCases) {
      const ml = voxelVolumeMl(p.image.affine);
      const vol = {
        liver: volumeMl(p.labels, L.liver),
        spleen: volumeMl(p.labels, L.spleen),
        pancreas: volumeMl(p.labels, L.pancreas),
      };
      const tissue = p.tissue.data as Uint8Array;
      let right = 0;
      let left = 0;
      const isRight = kidneySide("right");
      const isLeft = kidneySide("left");
      for (const t of tissue) {
        if (isRight(t)) right++;
        else if (isLeft(t)) left++;
      }
      const msg = `seed ${p.seed}: ${JSON.stringify(vol)} kidneys ${(right * ml).toFixed(0)}/${(left * ml).toFixed(0)} ml`;
      for (const organ of ["liver", "spleen", "pancreas"] as const) {
        const [lo, hi] = VOLUME_RANGES_ML[organ];
        assert.ok(vol[organ] >= lo && vol[organ] <= hi, `${organ} out of range, ${msg}`);
      }
      for (const k of [right * ml, left * ml]) {
        assert.ok(
          k >= VOLUME_RANGES_ML.kidneyEach[0] && k <= VOLUME_RANGES_ML.kidneyEach[1],
          `kidney, ${msg}`,
        );
      }
      assert.ok(
        Math.abs(volumeMl(p.labels, L.kidney) - (right + left) * ml) < 1e-6,
        "kidney label = both sides",
      );
      assert.ok(vol.liver > Math.max(vol.spleen, vol.pancreas, right * ml, left * ml), msg);
    }
  });

  test("organ sizes vary with the seed", () => {
    const livers = tinyCases.map((p) => volumeMl(p.labels, L.liver));
    const spleens = tinyCases.map((p) => volumeMl(p.labels, L.spleen));
    assert.ok(Math.max(...livers) / Math.min(...livers) > 1.15, `livers ${livers.map(Math.round)}`);
    assert.ok(Math.max(...spleens) / Math.min(...spleens) > 1.15, `spleens ${spleens.map(Math.round)}`);
  });

  test("organs sit on the anatomically correct side in RAS world coordinates", () => {
    for (const p of tinyCases) {
      const liver = worldCentroid(p.labels, L.liver);
      const spleen = worldCentroid(p.labels, L.spleen);
      const pancreas = worldCentroid(p.labels, L.pancreas);
      const rightKidney = worldCentroid(p.tissue, kidneySide("right"));
      const leftKidney = worldCentroid(p.tissue, kidneySide("left"));
      const spine = worldCentroid(p.tissue, Tissue.disc);
      const at = `seed ${p.seed}`;
      // NIfTI world space is RAS+: the patient's right is +x (the real CT in test/fixtures has its
      // liver and right kidney at x = +64 mm, its spleen at -113 mm).
      assert.ok(liver[0] > 15, `liver x ${liver[0]} (${at})`);
      assert.ok(rightKidney[0] > 30, `right kidney x ${rightKidney[0]} (${at})`);
      assert.ok(spleen[0] < -40, `spleen x ${spleen[0]} (${at})`);
      assert.ok(leftKidney[0] < -30, `left kidney x ${leftKidney[0]} (${at})`);
      assert.ok(Math.abs(spine[0]) < 5, `spine on the midline (${at})`);
      assert.ok(Math.abs(pancreas[0]) < 40, `pancreas crosses the midline (${at})`);
      // Posterior is -y: kidneys, spleen and spine lie behind the pancreas.
      for (const [name, c] of [
        ["right kidney", rightKidney],
        ["left kidney", leftKidney],
        ["spine", spine],
        ["spleen", spleen],
      ] as const) {
        assert.ok(c[1] < pancreas[1], `${name} y ${c[1]} not behind pancreas y ${pancreas[1]} (${at})`);
      }
      assert.ok(spine[1] < Math.min(rightKidney[1], leftKidney[1]) + 15, `spine posterior (${at})`);
      // Superior is +z: the liver's and spleen's centres are above the kidneys', the right kidney sits lower.
      assert.ok(liver[2] > rightKidney[2] && spleen[2] > leftKidney[2], `cranio-caudal order (${at})`);
      assert.ok(rightKidney[2] < leftKidney[2], `right kidney lower than left (${at})`);
    }
  });

  test("organ shapes do not overlap each other or the spine, and are painted whole", () => {
    for (const seed of [21, 22]) {
      const p = generatePhantom({ seed, size: "demo" });
      const organs = p.anatomy.organs;
      const names = Object.keys(organs) as (keyof typeof organs)[];
      const masks = names.map((n) => rasterizeShape(p.grid, organs[n]));
      const spine = rasterizeStructure(p.grid, p.anatomy.spine);
      const voxels = masks.map((m) => m.reduce((a, b) => a + b, 0));
      for (let a = 0; a < names.length; a++) {
        assert.ok(voxels[a] > 0, `${names[a]} empty`);
        let withSpine = 0;
        for (let q = 0; q < spine.length; q++) withSpine += masks[a][q] & spine[q];
        assert.equal(withSpine, 0, `${names[a]} overlaps the spine (seed ${seed})`);
        for (let b = a + 1; b < names.length; b++) {
          let both = 0;
          for (let q = 0; q < masks[a].length; q++) both += masks[a][q] & masks[b][q];
          assert.equal(both, 0, `${names[a]} overlaps ${names[b]} (seed ${seed})`);
        }
      }
      // Nothing painted earlier (vessels, muscles, bone) ate into an organ.
      const labelled = {
        liver: maskOf(p.labels, L.liver).reduce((a, b) => a + b, 0),
        spleen: maskOf(p.labels, L.spleen).reduce((a, b) => a + b, 0),
        pancreas: maskOf(p.labels, L.pancreas).reduce((a, b) => a + b, 0),
        kidney: maskOf(p.labels, L.kidney).reduce((a, b) => a + b, 0),
      };
      const shape = (n: keyof typeof organs) => voxels[names.indexOf(n)];
      assert.ok(labelled.liver >= 0.97 * shape("liver"));
      assert.ok(labelled.spleen >= 0.97 * shape("spleen"));
      assert.ok(labelled.pancreas >= 0.97 * shape("pancreas"));
      assert.ok(labelled.kidney >= 0.97 * (shape("rightKidney") + shape("leftKidney")));
      // Spine voxels are bone, disc or canal, never an organ.
      const labels = p.labels.data as Uint8Array;
      for (let q = 0; q < spine.length; q++) if (spine[q]) assert.equal(labels[q], 0);
    }
  });

  test("the body, found from image intensities alone, encloses every organ", () => {
    for (const p of tinyCases.slice(0, 3)) {
      const outside = outsideBody(p.image);
      const [ni, nj] = p.image.shape;
      const labels = p.labels.data as Uint8Array;
      let organVoxels = 0;
      for (let q = 0; q < labels.length; q++) {
        if (!labels[q]) continue;
        organVoxels++;
        const i = q % ni;
        const j = Math.floor(q / ni) % nj;
        assert.ok(i > 0 && i < ni - 1 && j > 0 && j < nj - 1, "organ touches the image edge");
        // Neither the voxel nor an in-plane neighbour is outside air.
        assert.equal(outside[q] | outside[q - 1] | outside[q + 1] | outside[q - ni] | outside[q + ni], 0);
      }
      assert.ok(organVoxels > 0);
      // And there is outside air at all: the body does not fill the field of view.
      assert.ok(outside.reduce((a, b) => a + b, 0) > 0.2 * outside.length);
    }
  });

  test("organs are single connected pieces; the kidney label has two (left and right)", () => {
    for (const seed of [21, 23]) {
      const p = generatePhantom({ seed, size: "demo" });
      for (const organ of ["liver", "spleen", "pancreas"] as const) {
        const sizes = componentSizes(maskOf(p.labels, L[organ]), p.labels.shape);
        const total = sizes.reduce((a, b) => a + b, 0);
        assert.ok(sizes[0] >= 0.95 * total, `${organ} in pieces: ${sizes.slice(0, 4)} (seed ${seed})`);
      }
      const kidneys = componentSizes(maskOf(p.labels, L.kidney), p.labels.shape);
      const total = kidneys.reduce((a, b) => a + b, 0);
      assert.ok(
        kidneys.length >= 2 && kidneys[0] + kidneys[1] >= 0.97 * total,
        `kidneys ${kidneys.slice(0, 4)}`,
      );
      assert.ok(kidneys[1] >= 0.3 * total, "two kidneys of comparable size");
    }
  });
});
