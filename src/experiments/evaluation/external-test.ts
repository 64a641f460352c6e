// Every arm on the external test set, the same way: each case is preprocessed as each member model
// was trained (orientation, spacing, that model's HU window; no crop, so all members share one
// grid), every member's heads run by sliding window, their organ probabilities are fused into one
// label map (an organ wins a voxel with the highest probability above the threshold), and the map
// goes back onto the test image's own grid, where it is written and scored (Dice, HD95) against
// the truth mapped through the test set's label map.
import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Case } from "../../data/datasets/case.js";
import { applyLabelMap } from "../../data/datasets/label-map.js";
import { assertSameGeometry, readNifti, writeNifti } from "../../data/nifti/index.js";
import { preprocessVolumes } from "../../data/pipeline/preprocess-case.js";
import type { PreprocessSettings } from "../../data/pipeline/preprocess-settings.js";
import { voxelSizes } from "../../data/transforms/affine-math.js";
import { resampleLabelsToGrid } from "../../data/transforms/resample-labels-to-grid.js";
import type { Volume } from "../../data/volume.js";
import { Tensor, tidy } from "../../engine/index.js";
import { type FusionRule, fuseHeads, type HeadProbabilities } from "../../training/inference/fuse-heads.js";
import { predictVolume } from "../../training/inference/predict-volume.js";
import { diceScore, evaluateCase } from "../../training/metrics/index.js";
import { loadPredictor, type Predictor } from "../../training/predict/load-predictor.js";
import { progress } from "../../util/progress.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import type { CaseResult, OverlaySlice } from "../report/report-types.js";
import type { MemberCalibration } from "./calibrate-members.js";
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

function gridKey(p: PreprocessSettings): string {
  return JSON.stringify([p.axcodes, p.pixdim]);
}

const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);

/** Evaluates every arm on every test case; writes predictions under outDir/predictions/<arm>/. */
export async function evaluateArms(
  exp: ExperimentConfig,
  arms: readonly ArmModels[],
  cases: readonly Case[],
  outDir: string,
): Promise<{ evaluations: ArmEvaluation[]; overlays: OverlaySlice[] }> {
  const organs = exp.organs.map((name, i) => ({ name, id: i + 1 }));
  const evaluations = arms.map((a) => ({ name: a.name, perCase: [] as CaseResult[], seconds: 0 }));
  const overlays: OverlaySlice[] = [];
  for (const a of arms) {
    await mkdir(join(outDir, "predictions", a.name), { recursive: true });
    const grids = new Set(a.members.map((m) => gridKey(m.preprocess)));
    if (grids.size > 1)
      throw new Error(
        `arm ${a.name}: its models were trained on different grids (${[...grids].join(" vs ")})`,
      );
  }
  const bar = progress("external test", cases.length * arms.length);
  let done = 0;
  for (const c of cases) {
    if (c.labelPath === undefined)
      throw new Error(`${c.imagePath}: the external test case has no label file`);
    const image = await readNifti(c.imagePath, { require3D: true, scaled: true, floatDtype: "float32" });
    const rawTruth = await readNifti(c.labelPath, { require3D: true });
    assertSameGeometry(c.imagePath, image, c.labelPath, rawTruth, 1e-2);
    const truth = applyLabelMap(rawTruth.data, exp.test.labelMap, c.labelPath);
    const shape = image.shape.slice(0, 3) as [number, number, number];
    const spacing = voxelSizes(image.affine) as [number, number, number];
    const preprocessed = new Map<string, Volume>();
    const predictionsOnGrid = new Map<string, Uint8Array>();
    for (const [ai, a] of arms.entries()) {
      const t0 = performance.now();
      const heads: HeadProbabilities[] = [];
      const diceHead: Record<string, number | null> = {};
      let grid: Volume | undefined;
      try {
        for (const [mi, m] of a.members.entries()) {
          const settings: PreprocessSettings = { ...m.preprocess, cropForeground: null, minSize: null };
          const key = JSON.stringify(settings);
          let pre = preprocessed.get(key);
          if (pre === undefined) {
            pre = preprocessVolumes(image, undefined, settings, c.imagePath).image!;
            preprocessed.set(key, pre);
          }
          grid = pre;
          const [i, j, k] = pre.shape as [number, number, number];
          const input = Tensor.fromArray(pre.data as Float32Array, [1, 1, k, j, i]);
          let out: ReturnType<typeof predictVolume>;
          try {
            out = predictVolume(
              m.model,
              m.heads,
              input,
              studySlidingWindow(exp),
              exp.inference.threshold,
              exp.device,
            );
          } finally {
            input.dispose();
          }
          out.labels.dispose();
          for (const h of m.heads) {
            const head: HeadProbabilities = {
              probs: out.probabilities.get(h.task)!,
              organIndices: h.organIndices,
              threshold: a.calibration?.[mi]?.[h.task]?.threshold,
            };
            heads.push(head);
            // The head alone, as the study scored its per-organ models.
            const alone = tidy(() => fuseHeads([head], exp.inference.threshold).toArray() as Uint8Array);
            const onOriginal = resampleLabelsToGrid(
              { shape: pre.shape.slice(0, 3), dtype: "uint8", data: alone, affine: pre.affine },
              shape,
              image.affine,
            ).data as Uint8Array;
            for (const id of h.organIndices) {
              const organ = exp.organs[id - 1]!;
              if (!(organ in diceHead)) diceHead[organ] = nullIfNaN(diceScore(onOriginal, truth, id));
            }
          }
        }
        // The configured rule makes the written prediction; the others are scored beside it.
        const rules = [
          exp.inference.fusion,
          ...exp.evaluation.fusionRules.filter((r) => r !== exp.inference.fusion),
        ];
        const fusedOnOriginal = (rule: FusionRule) => {
          const fused = tidy(
            () => fuseHeads(heads, { rule, threshold: exp.inference.threshold }).toArray() as Uint8Array,
          );
          const onGrid: Volume = {
            shape: grid!.shape.slice(0, 3),
            dtype: "uint8",
            data: fused,
            affine: grid!.affine,
          };
          return resampleLabelsToGrid(onGrid, shape, image.affine);
        };
        const labels = fusedOnOriginal(rules[0]!);
        let diceFusion: Record<string, Record<string, number | null>> | undefined;
        if (rules.length > 1) {
          diceFusion = {};
          for (const rule of rules) {
            const data = (rule === rules[0] ? labels : fusedOnOriginal(rule)).data as Uint8Array;
            diceFusion[rule] = Object.fromEntries(
              organs.map((o) => [o.name, nullIfNaN(diceScore(data, truth, o.id))]),
            );
          }
        }
        const file = join(outDir, "predictions", a.name, `${c.id}.nii.gz`);
        await writeNifti(file, labels);
        predictionsOnGrid.set(a.name, labels.data as Uint8Array);
        const rows = evaluateCase(
          { caseId: c.id, prediction: labels.data as Uint8Array, truth, shape, spacing },
          organs,
          { surfaceDistances: exp.evaluation.hd95 },
        );
        evaluations[ai]!.perCase.push({
          caseId: c.id,
          dice: Object.fromEntries(rows.map((r) => [r.organ, nullIfNaN(r.dice)])),
          diceHead: Object.fromEntries(exp.organs.map((o) => [o, o in diceHead ? diceHead[o]! : null])),
          ...(diceFusion !== undefined && { diceFusion }),
          hd95: Object.fromEntries(rows.map((r) => [r.organ, nullIfNaN(r.hd95Mm)])),
          prediction: relative(outDir, file),
        });
      } finally {
        for (const h of heads) h.probs.dispose();
      }
      evaluations[ai]!.seconds += (performance.now() - t0) / 1000;
      bar.update(++done, { case: c.id, arm: a.name });
    }
    if (overlays.length < exp.evaluation.overlayCases) {
      const map = axisMap(image.affine);
      const index = mostInformativeSlice(truth, shape, map);
      const ct = axialSlice(image.data as Float32Array, shape, map, index);
      overlays.push({
        caseId: c.id,
        sliceIndex: index,
        rows: ct.rows,
        cols: ct.cols,
        pixelMm: [map.mm[1], map.mm[0]],
        ct: ct.pixels.map((v) => Math.round(v)),
        truth: axialSlice(truth, shape, map, index).pixels,
        predictions: Object.fromEntries(
          [...predictionsOnGrid].map(([arm, data]) => [arm, axialSlice(data, shape, map, index).pixels]),
        ),
      });
    }
  }
  bar.finish();
  return { evaluations, overlays };
}
