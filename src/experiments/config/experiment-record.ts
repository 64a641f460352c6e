// The resolved experiment written back in the experiment file's own form (outDir/experiment.json):
// every default filled in, so `segviz experiment --config outDir/experiment.json` runs the same
// study, and a later change of a default does not silently change a rerun.
import type { LabelMap } from "../../data/datasets/label-map.js";
import type { ExperimentConfig } from "./experiment-config.js";

/** A label map as the schema writes it (plain JSON: ids as object keys, optional fields only when set). */
function labelMapRecord(m: LabelMap): Record<string, unknown> {
  return {
    name: m.name,
    ...(m.organs !== undefined && { organs: [...m.organs] }),
    labels: Object.fromEntries(Object.entries(m.labels)),
    ...(m.background !== undefined && {
      background: m.background.map((b) => (Array.isArray(b) ? [...b] : b)),
    }),
    ...(m.annotated !== undefined && { annotated: [...m.annotated] }),
  };
}

export function experimentRecord(exp: ExperimentConfig): Record<string, unknown> {
  // The channel counts follow from the image and the organs, not from the file.
  const { inChannels: _in, outChannels: _out, ...model } = exp.model;
  const record = {
    name: exp.name,
    outDir: exp.outDir,
    cacheDir: exp.cacheDir,
    seed: exp.seed,
    threads: exp.threads,
    onBadCase: exp.onBadCase,
    ...(exp.initialWeights !== undefined && { initialWeights: exp.initialWeights }),
    device: exp.device,
    organs: exp.organs,
    sites: exp.sites.map((s) => ({
      name: s.name,
      data: s.data,
      labelMap: labelMapRecord(s.labelMap),
      window: s.window,
    })),
    test: {
      name: exp.test.name,
      data: exp.test.data,
      labelMap: labelMapRecord(exp.test.labelMap),
      ...(exp.test.maxCases !== null && { maxCases: exp.test.maxCases }),
    },
    centralWindow: exp.centralWindow,
    model,
    preprocess: exp.preprocess,
    augment: exp.augment,
    training: exp.training,
    inference: exp.inference,
    arms: exp.arms.map((a) => a.options),
    baseline: exp.baseline,
    evaluation: exp.evaluation,
  };
  // Through JSON once, so what is returned is exactly what the file will hold.
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}
