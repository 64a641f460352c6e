// Every arm on the external test set, the same way: each case is preprocessed as each member model
// was trained (orientation, spacing, that model's HU window; no crop, so all members share one
// grid), every member's heads run by sliding window, their organ probabilities are fused into one
// label map (an organ wins a voxel with the highest probability above the threshold), and the map
// goes back onto the test image's own grid (training/predict/predict-ensemble.ts, the path
// `segviz predict` takes too), where it is written and scored (Dice, HD95) against the truth
// mapped through the test set's label map.
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Case } from "../../data/datasets/case.js";
import { applyLabelMap } from "../../data/datasets/label-map.js";
import { assertSameGeometry, readNifti, writeNifti } from "../../data/nifti/index.js";
import { voxelSizes } from "../../data/transforms/affine-math.js";
import type { Volume } from "../../data/volume.js";
import { tidy } from "../../engine/index.js";
import { type FusionRule, fuseHeads } from "../../training/inference/fuse-heads.js";
import { diceScore, evaluateCase } from "../../training/metrics/index.js";
import { loadPredictor, type Predictor } from "../../training/predict/load-predictor.js";
import {
  checkSharedGrid,
  disposeOutputs,
  type EnsembleOutputs,
  ensembleOutputs,
  fusedLabels,
  onImageGrid,
} from "../../training/predict/predict-ensemble.js";
import { progress } from "../../util/progress.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import type { CaseResult, OverlaySlice } from "../report/report-types.js";
import { type MemberCalibration, thresholdsOf } from "./calibrate-members.js";
import { axialSlice, axisMap, mostInformativeSlice } from "./display-slice.js";
import { studySlidingWindow } from "./study-sliding-window.js";

export interface ArmModels {
  name: string;
  members: Predictor[];
  /** Per member: its heads' calibrated thresholds (the "calibrated" fusion rule), if any. */
  calibration?: (MemberCalibration | undefined)[];
}

export interface ArmEvaluation {
  name: string;
  perCase: CaseResult[];
  seconds: number;
}

export async function loadArmModels(
  name: string,
  memberDirs: readonly string[],
  device: string,
): Promise<ArmModels> {
  const members: Predictor[] = [];
  for (const dir of memberDirs) {
    const p = await loadPredictor(dir);
    if (device !== "cpu") p.model.toDevice(device);
    members.push(p);
  }
  return { name, members };
}

const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);

/** One test case loaded for scoring: the image (HU, float32), its truth as organ indices, its grid. */
interface TestCase {
  id: string;
  imagePath: string;
  image: Volume;
  truth: Uint8Array;
  shape: [number, number, number];
  spacing: [number, number, number];
  /** Each member's input volume, by preprocessing settings (members of several arms share them). */
  preprocessed: Map<string, Volume>;
}

/** What a member's heads gave on one case, before fusion. */
/** What a member's heads gave on one case, before fusion, and each organ's own head scored alone. */
type MemberOutputs = EnsembleOutputs & { diceHead: Record<string, number | null> };

/**
 * One pass of every arm over the external test set. Its state is what accumulates: each arm's
 * per-case results and time, and the overlay slices for the report.
 */
class ExternalTestRun {
  readonly evaluations: ArmEvaluation[];
  readonly overlays: OverlaySlice[] = [];
  private readonly organs: { name: string; id: number }[];

  constructor(
    private readonly exp: ExperimentConfig,
    private readonly arms: readonly ArmModels[],
    private readonly outDir: string,
  ) {
    this.organs = exp.organs.map((name, i) => ({ name, id: i + 1 }));
    this.evaluations = arms.map((a) => ({ name: a.name, perCase: [], seconds: 0 }));
  }

  /** Prediction folders exist, and each arm's members share one preprocessing grid. */
  async prepare(): Promise<void> {
    for (const a of this.arms) {
      await mkdir(join(this.outDir, "predictions", a.name), { recursive: true });
      checkSharedGrid(a.members, `arm ${a.name}`);
    }
    await mkdir(join(this.outDir, "predictions", GROUND_TRUTH), { recursive: true });
  }

  async loadCase(c: Case): Promise<TestCase> {
    if (c.labelPath === undefined)
      throw new Error(`${c.imagePath}: the external test case has no label file`);
    const image = await readNifti(c.imagePath, { require3D: true, scaled: true, floatDtype: "float32" });
    const rawTruth = await readNifti(c.labelPath, { require3D: true });
    assertSameGeometry(c.imagePath, image, c.labelPath, rawTruth, 1e-2);
    const truth = applyLabelMap(rawTruth.data, this.exp.test.labelMap, c.labelPath);
    // The truth in the study's organ indices, beside the predictions (what segviz view overlays).
    await writeNifti(join(this.outDir, "predictions", GROUND_TRUTH, `${c.id}.nii.gz`), {
      shape: image.shape.slice(0, 3),
      dtype: "uint8",
      data: truth,
      affine: image.affine,
    });
    return {
      id: c.id,
      imagePath: c.imagePath,
      image,
      truth,
      shape: image.shape.slice(0, 3) as [number, number, number],
      spacing: voxelSizes(image.affine) as [number, number, number],
      preprocessed: new Map(),
    };
  }

  /** Scores arm `ai` on the case, writes its prediction, and returns the prediction on the case's grid. */
  async scoreArm(ai: number, tc: TestCase): Promise<Uint8Array> {
    const a = this.arms[ai]!;
    const t0 = performance.now();
    const outputs = this.memberOutputs(a, tc);
    try {
      const rules = [
        this.exp.inference.fusion,
        ...this.exp.evaluation.fusionRules.filter((r) => r !== this.exp.inference.fusion),
      ];
      // The configured rule makes the written prediction; the others are scored beside it.
      const labels = this.fuse(outputs, rules[0]!, tc);
      const diceFusion = rules.length > 1 ? this.diceByRule(outputs, rules, labels, tc) : undefined;
      const file = join(this.outDir, "predictions", a.name, `${tc.id}.nii.gz`);
      await writeNifti(file, labels);
      const prediction = labels.data as Uint8Array;
      const rows = evaluateCase(
        { caseId: tc.id, prediction, truth: tc.truth, shape: tc.shape, spacing: tc.spacing },
        this.organs,
        { surfaceDistances: this.exp.evaluation.hd95 },
      );
      this.evaluations[ai]!.perCase.push({
        caseId: tc.id,
        dice: Object.fromEntries(rows.map((r) => [r.organ, nullIfNaN(r.dice)])),
        diceHead: Object.fromEntries(this.exp.organs.map((o) => [o, outputs.diceHead[o] ?? null])),
        ...(diceFusion !== undefined && { diceFusion }),
        hd95: Object.fromEntries(rows.map((r) => [r.organ, nullIfNaN(r.hd95Mm)])),
        prediction: relative(this.outDir, file),
      });
      return prediction;
    } finally {
      disposeOutputs(outputs);
      this.evaluations[ai]!.seconds += (performance.now() - t0) / 1000;
    }
  }

  /** Every member's heads by sliding window, each head also scored alone (as the study scored them). */
  private memberOutputs(a: ArmModels, tc: TestCase): MemberOutputs {
    const outputs = ensembleOutputs(
      a.members.map((predictor, mi) => ({ predictor, thresholds: thresholdsOf(a.calibration?.[mi]) })),
      tc.image,
      tc.imagePath,
      {
        slidingWindow: studySlidingWindow(this.exp),
        threshold: this.exp.inference.threshold,
        device: this.exp.device,
      },
      tc.preprocessed,
    );
    const diceHead: Record<string, number | null> = {};
    try {
      for (const head of outputs.heads) {
        const alone = tidy(() => fuseHeads([head], this.exp.inference.threshold).toArray() as Uint8Array);
        const onOriginal = onImageGrid(alone, outputs.grid, tc.image).data as Uint8Array;
        for (const id of head.organIndices) {
          const organ = this.exp.organs[id - 1]!;
          if (!(organ in diceHead)) diceHead[organ] = nullIfNaN(diceScore(onOriginal, tc.truth, id));
        }
      }
    } catch (e) {
      disposeOutputs(outputs);
      throw e;
    }
    return { ...outputs, diceHead };
  }

  private fuse(outputs: MemberOutputs, rule: FusionRule, tc: TestCase): Volume {
    return fusedLabels(outputs, rule, this.exp.inference.threshold, tc.image);
  }

  private diceByRule(
    outputs: MemberOutputs,
    rules: readonly FusionRule[],
    first: Volume,
    tc: TestCase,
  ): Record<string, Record<string, number | null>> {
    const byRule: Record<string, Record<string, number | null>> = {};
    for (const rule of rules) {
      const data = (rule === rules[0] ? first : this.fuse(outputs, rule, tc)).data as Uint8Array;
      byRule[rule] = Object.fromEntries(
        this.organs.map((o) => [o.name, nullIfNaN(diceScore(data, tc.truth, o.id))]),
      );
    }
    return byRule;
  }

  /** An axial slice of the case with every arm's prediction, for the report. */
  addOverlay(tc: TestCase, predictions: ReadonlyMap<string, Uint8Array>): void {
    const map = axisMap(tc.image.affine);
    const index = mostInformativeSlice(tc.truth, tc.shape, map);
    const ct = axialSlice(tc.image.data as Float32Array, tc.shape, map, index);
    this.overlays.push({
      caseId: tc.id,
      sliceIndex: index,
      rows: ct.rows,
      cols: ct.cols,
      pixelMm: [map.mm[1], map.mm[0]],
      ct: ct.pixels.map((v) => Math.round(v)),
      truth: axialSlice(tc.truth, tc.shape, map, index).pixels,
      predictions: Object.fromEntries(
        [...predictions].map(([arm, data]) => [arm, axialSlice(data, tc.shape, map, index).pixels]),
      ),
    });
  }
}

/** The folder under predictions/ with each test case's truth as organ indices. */
export const GROUND_TRUTH = "ground-truth";

/** Evaluates every arm on every test case; writes predictions under outDir/predictions/<arm>/. */
export async function evaluateArms(
  exp: ExperimentConfig,
  arms: readonly ArmModels[],
  cases: readonly Case[],
  outDir: string,
): Promise<{ evaluations: ArmEvaluation[]; overlays: OverlaySlice[] }> {
  const run = new ExternalTestRun(exp, arms, outDir);
  await run.prepare();
  // Where each test image is, for segviz view (the study's own files stay where they are).
  await writeFile(
    join(outDir, "predictions", "cases.json"),
    `${JSON.stringify(
      cases.map((c) => ({ id: c.id, image: resolve(c.imagePath) })),
      null,
      2,
    )}\n`,
  );
  const bar = progress("external test", cases.length * arms.length);
  let done = 0;
  for (const c of cases) {
    const tc = await run.loadCase(c);
    const predictions = new Map<string, Uint8Array>();
    for (const [ai, a] of arms.entries()) {
      predictions.set(a.name, await run.scoreArm(ai, tc));
      bar.update(++done, { case: c.id, arm: a.name });
    }
    if (run.overlays.length < exp.evaluation.overlayCases) run.addOverlay(tc, predictions);
  }
  bar.finish();
  return { evaluations: run.evaluations, overlays: run.overlays };
}
