// Assembles one patient's anatomy: the body wall, the skeleton and back muscles, the vessels, the
// labelled organs (made disjoint by carving each with its neighbours) and the unlabelled viscera,
// as an ordered list of paint layers.

import type { VoxelGrid } from "../grid.js";
import { Tissue } from "../labels.js";
import { type PaintCount, paintStructure, type Structure, shapeStructure, tissueSet } from "../paint.js";
import type { PatientParams } from "../patient.js";
import type { SeededRandom } from "../prng.js";
import { Carved, type Shape } from "../shapes.js";
import { BodyWall } from "./body-wall.js";
import { buildColon, buildDuodenum, buildSmallBowel, buildStomach } from "./gut.js";
import { buildKidney, renalSinus } from "./kidneys.js";
import { buildGallbladder, buildHepaticVessels, buildLiverLobes } from "./liver.js";
import { buildBackMuscles } from "./muscles.js";
import { buildPancreas } from "./pancreas.js";
import { buildRibs } from "./ribs.js";
import { buildSpineGeometry, Spine } from "./spine.js";
import { buildSpleen } from "./spleen.js";
import { buildTable } from "./table.js";
import { buildLungBases } from "./thorax.js";
import { buildGreatVessels } from "./vessels.js";

/** The five labelled organs as final (carved, mutually disjoint) shapes. */
interface OrganShapes {
  liver: Shape;
  spleen: Shape;
  pancreas: Shape;
  rightKidney: Shape;
  leftKidney: Shape;
}

interface PaintLayer {
  name: string;
  structure: Structure;
  /** Tissues this layer may overwrite. */
  onto: Uint8Array;
}

export interface Anatomy {
  patient: PatientParams;
  body: BodyWall;
  spine: Spine;
  organs: OrganShapes;
  /** Everything after the body wall, in painting order. */
  layers: PaintLayer[];
}

/** Thin fat plane kept between neighbouring organs, mm. */
const ORGAN_GAP_MM = 1.5;

interface AnatomyOptions {
  /** Cranio-caudal range to build extruded structures over, mm (anatomy frame). */
  zMin: number;
  zMax: number;
  table: boolean;
}

export function buildAnatomy(rng: SeededRandom, patient: PatientParams, opts: AnatomyOptions): Anatomy {
  const s = patient.scale;
  const ribs = buildRibs(rng.fork("ribs"), s);
  const body = new BodyWall(patient, ribs);
  const spine = new Spine(buildSpineGeometry(rng.fork("spine"), s, body.backY(0), opts.zMin, opts.zMax));
  const muscles = buildBackMuscles(rng.fork("muscles"), s, spine.g);
  const keepInside = (c: [number, number, number], clearance: number) => body.keepInside(c, clearance);
  const spleen = buildSpleen(rng.fork("spleen"), s, patient.organScale.spleen, keepInside);
  const vessels = buildGreatVessels(rng.fork("vessels"), s, spine.g, spleen.hilum);
  const rightKidney = buildKidney(
    rng.fork("kidney-right"),
    -1,
    s,
    patient.organScale.rightKidney,
    spine.g,
    keepInside,
  );
  const leftKidney = buildKidney(
    rng.fork("kidney-left"),
    1,
    s,
    patient.organScale.leftKidney,
    spine.g,
    keepInside,
  );
  const pancreas = buildPancreas(rng.fork("pancreas"), s, patient.organScale.pancreas, spine.g, spleen.hilum);
  const pancreasTube = pancreas.shape;
  const gallbladder = buildGallbladder(rng.fork("gallbladder"), s);
  const liverLobes = buildLiverLobes(rng.fork("liver"), s, patient.organScale.liver);

  // Organs never enter the wall, the spine, the back muscles or the great vessels, and each one
  // yields to the organs built before it: kidneys, spleen, pancreas, then the liver.
  const walls: Shape[] = [
    body.cavityExterior(),
    spine.envelope(),
    ...muscles.paraspinal,
    ...muscles.psoas,
    vessels.aorta,
    vessels.ivc,
  ];
  const carve = (shape: Shape, neighbours: Shape[]) =>
    new Carved(shape, [...walls, ...neighbours], ORGAN_GAP_MM);
  const kR = rightKidney.ellipsoid;
  const kL = leftKidney.ellipsoid;
  const organs: OrganShapes = {
    rightKidney: carve(kR, []),
    leftKidney: carve(kL, []),
    spleen: carve(spleen.ellipsoid, [kL, kR]),
    pancreas: carve(pancreasTube, [kR, kL, spleen.ellipsoid, vessels.portalVein]),
    liver: carve(liverLobes, [kR, kL, spleen.ellipsoid, pancreasTube, gallbladder, vessels.portalVein]),
  };

  const air = tissueSet([Tissue.air]);
  const cavity = tissueSet([Tissue.visceralFat]);
  const anySoft = tissueSet([Tissue.subcutaneousFat, Tissue.muscle, Tissue.visceralFat]);
  const layers: PaintLayer[] = [];
  const add = (name: string, structure: Structure, onto = cavity): void => {
    layers.push({ name, structure, onto });
  };
  const addEach = (prefix: string, structures: Structure[], onto = cavity): void => {
    for (const [n, structure] of structures.entries()) add(`${prefix}-${n}`, structure, onto);
  };

  if (opts.table) add("table", buildTable(body.skinBackY(0), opts.zMin, opts.zMax), air);
  add("spine", spine, anySoft);
  addEach(
    "paraspinal",
    muscles.paraspinal.map((m) => shapeStructure(m, Tissue.muscle)),
  );
  addEach(
    "psoas",
    muscles.psoas.map((m) => shapeStructure(m, Tissue.muscle)),
  );
  add("aorta", shapeStructure(vessels.aorta, Tissue.aorta));
  add("ivc", shapeStructure(vessels.ivc, Tissue.ivc));
  add("right-kidney", shapeStructure(organs.rightKidney, rightKidney.tissue));
  add("left-kidney", shapeStructure(organs.leftKidney, leftKidney.tissue));
  add("spleen", shapeStructure(organs.spleen, Tissue.spleen));
  add("pancreas", shapeStructure(organs.pancreas, Tissue.pancreas));
  add("gallbladder", shapeStructure(gallbladder, Tissue.gallbladder));
  add("liver", shapeStructure(organs.liver, Tissue.liver));
  const hepatic = buildHepaticVessels(rng.fork("hepatic-vessels"), s, vessels.portaHepatis, vessels.ivcTop);
  const liverOnly = tissueSet([Tissue.liver]);
  addEach(
    "liver-vessel",
    hepatic.map((v) => shapeStructure(v, Tissue.liverVessel)),
    liverOnly,
  );
  add("right-renal-sinus", shapeStructure(renalSinus(rightKidney), Tissue.renalSinus));
  add("left-renal-sinus", shapeStructure(renalSinus(leftKidney), Tissue.renalSinus));
  add("portal-vein", shapeStructure(vessels.portalVein, Tissue.portalVein));
  add("splenic-vein", shapeStructure(vessels.splenicVein, Tissue.portalVein));
  add("mesenteric-vein", shapeStructure(vessels.mesentericVein, Tissue.portalVein));
  addEach(
    "lung",
    buildLungBases(rng.fork("lungs"), s).map((l) => shapeStructure(l, Tissue.lung)),
  );
  add("stomach", buildStomach(rng.fork("stomach"), s));
  add("duodenum", buildDuodenum(rng.fork("duodenum"), s, pancreas.head));
  add("colon", buildColon(rng.fork("colon"), s));
  addEach("small-bowel", buildSmallBowel(rng.fork("small-bowel"), s, 7));

  return { patient, body, spine, organs, layers };
}

/** Rasterises the anatomy into a tissue map on the grid; returns per-layer voxel counts. */
export function paintAnatomy(
  anatomy: Anatomy,
  grid: VoxelGrid,
): { tissue: Uint8Array; counts: Record<string, PaintCount> } {
  const tissue = new Uint8Array(grid.shape[0] * grid.shape[1] * grid.shape[2]);
  anatomy.body.paint(grid, tissue);
  const counts: Record<string, PaintCount> = {};
  for (const layer of anatomy.layers)
    counts[layer.name] = paintStructure(grid, tissue, layer.structure, layer.onto);
  return { tissue, counts };
}
