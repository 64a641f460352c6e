// Loading cases: image as scaled float32, label through the site's label map, geometry checked.
// A bad case becomes a report (file and reason) and the others go on, unless asked to stop.

import { DataError } from "../errors.js";
import { assertSameGeometry, type NiftiImage, readNifti } from "../nifti/index.js";
import type { Volume } from "../volume.js";
import { type BadCase, badCaseFrom, type Case, handleBadCase, type OnBadCase } from "./case.js";
import { annotatedOrgans, applyLabelMap, type LabelMap } from "./label-map.js";

interface LoadOptions {
  /** Needed for cases with a label file. */
  labelMap?: LabelMap;
  /** How far (mm) image and label grids may disagree anywhere in the volume (default 0.01). */
  geometryToleranceMm?: number;
  onBadCase?: OnBadCase;
  /** Called for each bad case as it is found (e.g. to log it). */
  onReport?: (bad: BadCase) => void;
}

interface LoadedCase {
  id: string;
  imagePath: string;
  labelPath?: string;
  /** 3D, scl_slope/scl_inter applied, float32. */
  image: NiftiImage;
  /** uint8 organ indices of the label map's vocabulary, on the image's grid and affine. */
  label?: Volume;
  /** Organs this case's labels annotate (empty when unlabelled). */
  annotated: string[];
}

async function readLabelValues(path: string): Promise<NiftiImage> {
  const raw = await readNifti(path, { require3D: true });
  const { sclSlope: s, sclInter: i } = raw.header;
  const identity = s === 0 || !Number.isFinite(s) || (s === 1 && i === 0);
  // A scaled label file is rare but legal; its meaning is the scaled value.
  return identity ? raw : readNifti(path, { require3D: true, scaled: true });
}

/** Loads one case; throws a DataError naming the file at fault. */
async function loadCase(c: Case, opts: LoadOptions = {}): Promise<LoadedCase> {
  const image = await readNifti(c.imagePath, { scaled: true, floatDtype: "float32", require3D: true });
  if (c.labelPath === undefined) return { ...c, image, annotated: [] };
  if (!opts.labelMap) throw new DataError(c.labelPath, "case has a label file but no label map was given");
  const labels = await readLabelValues(c.labelPath);
  assertSameGeometry(c.imagePath, image, c.labelPath, labels, opts.geometryToleranceMm ?? 0.01);
  const organs = applyLabelMap(labels.data, opts.labelMap, c.labelPath);
  const label: Volume = { shape: image.shape.slice(), dtype: "uint8", data: organs, affine: image.affine };
  return { ...c, image, label, annotated: annotatedOrgans(opts.labelMap) };
}

/** Loads cases one at a time (memory stays at one case), yielding each good one. */
async function* iterateCases(
  cases: Iterable<Case>,
  opts: LoadOptions = {},
  bad: BadCase[] = [],
): AsyncGenerator<LoadedCase> {
  for (const c of cases) {
    let loaded: LoadedCase;
    try {
      loaded = await loadCase(c, opts);
    } catch (err) {
      const report = badCaseFrom(c.id, c.imagePath, err);
      opts.onReport?.(report);
      handleBadCase(report, opts.onBadCase ?? "skip", bad);
      continue;
    }
    yield loaded;
  }
}

export async function loadCases(
  cases: Iterable<Case>,
  opts: LoadOptions = {},
): Promise<{ loaded: LoadedCase[]; bad: BadCase[] }> {
  const bad: BadCase[] = [];
  const loaded: LoadedCase[] = [];
  for await (const c of iterateCases(cases, opts, bad)) loaded.push(c);
  return { loaded, bad };
}
