// `segviz evaluate`: scores predicted organ label maps against ground truth files. Truth labels go
// through their data set's label map; predictions hold organ indices of the same vocabulary.
import { applyLabelMap, type LabelMap, organsOf } from "../../data/datasets/label-map.js";
import { assertSameGeometry, readNifti } from "../../data/nifti/index.js";
import { voxelSizes } from "../../data/transforms/affine-math.js";
import {
  buildEvaluation,
  type DiceEmptyRule,
  evaluateCase,
  type MetricsEvaluation,
  type OrganCaseMetrics,
  type SurfaceEmptyRule,
  writeMetricsTables,
} from "../metrics/index.js";
import { pairFiles } from "./pair-files.js";

interface EvaluateFilesOptions {
  truthLabelMap: LabelMap;
  /** Organs to score (default: every organ of the truth map's vocabulary). */
  organs?: string[];
  outDir?: string;
  surfaceDistances?: boolean;
  /** Empty-mask conventions (training/metrics dice.ts and surface-distance.ts); default "segviz". */
  diceEmpty?: DiceEmptyRule;
  surfaceEmpty?: SurfaceEmptyRule;
  onCase?: (caseId: string, done: number, total: number) => void;
}

interface FilesEvaluation {
  evaluation: MetricsEvaluation;
  unpairedPredictions: string[];
  unpairedTruths: string[];
  tables?: { csv: string; json: string };
}

export async function evaluateFiles(
  predictions: readonly string[],
  truths: readonly string[],
  o: EvaluateFilesOptions,
): Promise<FilesEvaluation> {
  const vocabulary = organsOf(o.truthLabelMap);
  const names = o.organs ?? [...vocabulary];
  const organs = names.map((name) => {
    const i = vocabulary.indexOf(name);
    if (i < 0) throw new Error(`evaluate: organ '${name}' is not in label map "${o.truthLabelMap.name}"`);
    return { name, id: i + 1 };
  });
  const { pairs, unpairedPredictions, unpairedTruths } = pairFiles(predictions, truths);
  if (pairs.length === 0) throw new Error("evaluate: no prediction could be paired with a ground-truth file");
  const rows: OrganCaseMetrics[] = [];
  for (const [n, p] of pairs.entries()) {
    const pred = await readNifti(p.prediction, { require3D: true });
    const truth = await readNifti(p.truth, { require3D: true });
    assertSameGeometry(p.prediction, pred, p.truth, truth, 1e-2);
    const predLabels = Uint8Array.from(pred.data as ArrayLike<number>, (v, i) => {
      const x = Number(v);
      if (!(x >= 0 && x <= vocabulary.length && Number.isInteger(x))) {
        throw new Error(
          `${p.prediction}: voxel ${i} has label ${x}, not an organ index 0..${vocabulary.length}`,
        );
      }
      return x;
    });
    const sp = voxelSizes(truth.affine);
    rows.push(
      ...evaluateCase(
        {
          caseId: p.caseId,
          prediction: predLabels,
          truth: applyLabelMap(truth.data, o.truthLabelMap, p.truth),
          shape: truth.shape.slice(0, 3) as [number, number, number],
          spacing: [sp[0]!, sp[1]!, sp[2]!],
        },
        organs,
        {
          surfaceDistances: o.surfaceDistances ?? true,
          diceEmpty: o.diceEmpty,
          surfaceEmpty: o.surfaceEmpty,
        },
      ),
    );
    o.onCase?.(p.caseId, n + 1, pairs.length);
  }
  const evaluation = buildEvaluation(rows, organs, { diceEmpty: o.diceEmpty, surfaceEmpty: o.surfaceEmpty });
  const tables = o.outDir ? await writeMetricsTables(o.outDir, evaluation) : undefined;
  return { evaluation, unpairedPredictions, unpairedTruths, tables };
}
