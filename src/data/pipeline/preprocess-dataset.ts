// Preprocesses every case of a data set through the cache, with progress. A bad case is reported
// (by file) and either skipped or made to stop the run, as the caller chooses.

import { type ProgressStream, progress } from "../../util/progress.js";
import type { PreprocessCache } from "../cache/preprocess-cache.js";
import type { LabelMap } from "../datasets/label-map.js";
import { DataError } from "../errors.js";
import { type CasePaths, preprocessCase } from "./preprocess-case.js";
import type { PreprocessSettings } from "./preprocess-settings.js";

interface PreparedCase {
  paths: CasePaths;
  /** Cache entry file, for PatchLoader. */
  entryPath: string;
  hit: boolean;
}

/** A case that could not be read or preprocessed: its input paths, the file at fault and why. */
export interface FailedCase {
  paths: CasePaths;
  file: string;
  reason: string;
}

interface PreprocessDatasetOptions {
  cache: PreprocessCache;
  settings: PreprocessSettings;
  onError?: "skip" | "stop";
  /** Raw label ids -> organ indices, applied before preprocessing and cached with it. */
  labelMap?: LabelMap;
  progressStream?: ProgressStream;
}

export async function preprocessDataset(
  cases: readonly CasePaths[],
  o: PreprocessDatasetOptions,
): Promise<{ prepared: PreparedCase[]; failed: FailedCase[] }> {
  const bar = progress("preprocess", cases.length, { stream: o.progressStream, intervalMs: 0 });
  let done = 0;
  const prepared: PreparedCase[] = [];
  const failed: FailedCase[] = [];
  for (const paths of cases) {
    const sources: Record<string, string> = { image: paths.image };
    if (paths.label !== undefined) sources.label = paths.label;
    try {
      const key = o.labelMap ? { settings: o.settings, labelMap: o.labelMap } : o.settings;
      const r = await o.cache.getOrBuild(sources, key, () =>
        preprocessCase(paths, o.settings, { labelMap: o.labelMap }),
      );
      prepared.push({ paths, entryPath: r.path, hit: r.hit });
      bar.update(++done, { case: paths.image, cache: r.hit ? "hit" : "miss" });
    } catch (e) {
      const err = e instanceof DataError ? e : new DataError(paths.image, (e as Error).message, { cause: e });
      if ((o.onError ?? "stop") === "stop") throw err;
      failed.push({ paths, file: err.file, reason: err.reason });
      bar.log({ event: "case_skipped", file: err.file, reason: err.reason });
      bar.update(++done, { case: paths.image, skipped: true });
    }
  }
  bar.finish();
  return { prepared, failed };
}
