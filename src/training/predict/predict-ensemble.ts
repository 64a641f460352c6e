// Prediction with a set of trained models at once: a study arm (one model per site, or one central
// model) or a single checkpoint. Each member sees the image preprocessed as it was trained, without
// the foreground crop so that every member lands on one grid; every head runs by sliding window;
// the heads' organ probabilities are fused into one label map by the fusion rule, and the map goes
// back onto the image's own grid. One path for `segviz predict` and the study's external test, so
// a prediction made after a study is the study's prediction.
import { preprocessVolumes } from "../../data/pipeline/preprocess-case.js";
import type { PreprocessSettings } from "../../data/pipeline/preprocess-settings.js";
import { resampleLabelsToGrid } from "../../data/transforms/resample-labels-to-grid.js";
import { resampleToGrid } from "../../data/transforms/resample-to-grid.js";
import type { Volume } from "../../data/volume.js";
import { Tensor, tidy } from "../../engine/index.js";
import { type FusionRule, fuseHeads, type HeadProbabilities } from "../inference/fuse-heads.js";
import { predictSharedBody } from "../inference/predict-volume.js";
import type { SlidingWindowOptions } from "../inference/sliding-window.js";
import { bodyDigest } from "./body-digest.js";
import type { Predictor } from "./load-predictor.js";

export interface EnsembleMember {
  predictor: Predictor;
  /** Per task: its threshold under the "calibrated" fusion rule. */
  thresholds?: Record<string, number>;
}

export interface EnsembleSettings {
  /** Window size in engine order [k, j, i], overlap, batch, blending. */
  slidingWindow: SlidingWindowOptions;
  /** The "max" rule's threshold (and the fallback of "calibrated"). */
  threshold: number;
  device: string;
}

export interface EnsembleOutputs {
  /** Every member's heads, member by member; the caller disposes them (disposeOutputs). */
  heads: HeadProbabilities[];
  /** The grid the probabilities live on, shared by every member. */
  grid: Volume;
}

function gridKey(p: PreprocessSettings): string {
  return JSON.stringify([p.axcodes, p.pixdim]);
}

/** Members trained on different grids cannot be fused voxel by voxel. */
export function checkSharedGrid(members: readonly Predictor[], what: string): void {
  const grids = new Set(members.map((m) => gridKey(m.preprocess)));
  if (grids.size > 1)
    throw new Error(`${what}: its models were trained on different grids (${[...grids].join(" vs ")})`);
}

/**
 * The image preprocessed as `p` was trained, without the crop. `cache` (by settings) lets members
 * with the same preprocessing, and repeated calls on one image, share the work.
 */
function memberInput(
  p: Predictor,
  image: Volume,
  imagePath: string,
  cache: Map<string, Volume> = new Map(),
): Volume {
  const settings: PreprocessSettings = { ...p.preprocess, cropForeground: null, minSize: null };
  const key = JSON.stringify(settings);
  let pre = cache.get(key);
  if (pre === undefined) {
    pre = preprocessVolumes(image, undefined, settings, imagePath).image!;
    cache.set(key, pre);
  }
  return pre;
}

/**
 * Members whose preprocessing and body are the same (a federated arm without local BatchNorm
 * statistics): each group runs its body once per window. Groups in first-member order.
 */
function bodyGroups(members: readonly EnsembleMember[]): number[][] {
  if (members.length === 1) return [[0]];
  const groups = new Map<string, number[]>();
  members.forEach((m, i) => {
    const settings = { ...m.predictor.preprocess, cropForeground: null, minSize: null };
    const key = `${JSON.stringify(settings)}|${bodyDigest(m.predictor.model)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  });
  return [...groups.values()];
}

/** Every member's heads on one image (HU, float32, on its own grid). */
export function ensembleOutputs(
  members: readonly EnsembleMember[],
  image: Volume,
  imagePath: string,
  s: EnsembleSettings,
  cache: Map<string, Volume> = new Map(),
): EnsembleOutputs {
  const probabilities: Map<string, Tensor>[] = [];
  let grid: Volume | undefined;
  try {
    for (const group of bodyGroups(members)) {
      const first = members[group[0]!]!.predictor;
      const pre = memberInput(first, image, imagePath, cache);
      grid = pre;
      const [i, j, k] = pre.shape as [number, number, number];
      const input = Tensor.fromArray(pre.data as Float32Array, [1, 1, k, j, i]);
      try {
        const outs = predictSharedBody(
          group.map((m) => ({ model: members[m]!.predictor.model, heads: members[m]!.predictor.heads })),
          input,
          s.slidingWindow,
          s.device,
        );
        group.forEach((m, g) => {
          probabilities[m] = outs[g]!;
        });
      } finally {
        input.dispose();
      }
    }
  } catch (e) {
    for (const byTask of probabilities) for (const p of byTask?.values() ?? []) p.dispose();
    throw e;
  }
  if (grid === undefined) throw new Error("ensembleOutputs: no member");
  const heads: HeadProbabilities[] = members.flatMap((m, mi) =>
    m.predictor.heads.map((h) => ({
      probs: probabilities[mi]!.get(h.task)!,
      organIndices: h.organIndices,
      threshold: m.thresholds?.[h.task],
    })),
  );
  return { heads, grid };
}

export function disposeOutputs(outputs: EnsembleOutputs): void {
  for (const h of outputs.heads) h.probs.dispose();
}

/** Labels on the probabilities' grid, brought onto the image's own grid (shape and affine). */
export function onImageGrid(labels: Uint8Array, grid: Volume, image: Volume): Volume {
  const onGrid: Volume = { shape: grid.shape.slice(0, 3), dtype: "uint8", data: labels, affine: grid.affine };
  return resampleLabelsToGrid(onGrid, image.shape.slice(0, 3), image.affine);
}

/** The heads fused by `rule` into one organ label map on the image's own grid. */
export function fusedLabels(
  outputs: EnsembleOutputs,
  rule: FusionRule,
  threshold: number,
  image: Volume,
): Volume {
  const fused = tidy(() => fuseHeads(outputs.heads, { rule, threshold }).toArray() as Uint8Array);
  return onImageGrid(fused, outputs.grid, image);
}

/**
 * Each organ's probability on the image's own grid: the highest any head gives it (what the "max"
 * rule compares with the threshold), resampled trilinearly. Keys are organ indices.
 */
export function organProbabilities(outputs: EnsembleOutputs, image: Volume): Map<number, Volume> {
  const byOrgan = new Map<number, Float32Array>();
  for (const h of outputs.heads)
    h.organIndices.forEach((id, c) => {
      const p = tidy(
        () =>
          h.probs
            .narrow(1, c + 1, 1)
            .contiguous()
            .toArray() as Float32Array,
      );
      const seen = byOrgan.get(id);
      if (seen === undefined) byOrgan.set(id, p);
      else for (let v = 0; v < p.length; v++) seen[v] = Math.max(seen[v]!, p[v]!);
    });
  const grid = outputs.grid;
  return new Map(
    [...byOrgan].map(([id, data]) => [
      id,
      resampleToGrid(
        { shape: grid.shape.slice(0, 3), dtype: "float32", data, affine: grid.affine },
        image.shape.slice(0, 3),
        image.affine,
      ),
    ]),
  );
}
