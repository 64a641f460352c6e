// What each site left out of training, read back from the skipped.json every arm's site folder
// holds (training/site/prepare-site.ts): the union over the arms, one entry per case and stage.
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ExperimentConfig } from "../config/experiment-config.js";

/** A skipped case as the report shows it: the file's name only (a report names no folder). */
export interface ReportedSkippedCase {
  id: string;
  stage: "listing" | "preprocessing";
  file: string;
  reason: string;
}

async function readSkipped(path: string): Promise<ReportedSkippedCase[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let parsed: { skipped?: ReportedSkippedCase[] };
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!Array.isArray(parsed.skipped)) throw new Error(`${path}: no "skipped" list`);
  return parsed.skipped;
}

export async function skippedCasesBySite(
  exp: ExperimentConfig,
): Promise<Record<string, ReportedSkippedCase[]>> {
  const out: Record<string, ReportedSkippedCase[]> = {};
  for (const site of exp.sites) {
    const seen = new Map<string, ReportedSkippedCase>();
    for (const arm of exp.arms) {
      const found = await readSkipped(join(exp.outDir, "arms", arm.name, "sites", site.name, "skipped.json"));
      for (const s of found ?? [])
        if (!seen.has(`${s.id}\0${s.stage}`))
          seen.set(`${s.id}\0${s.stage}`, {
            id: s.id,
            stage: s.stage,
            file: basename(s.file),
            reason: s.reason,
          });
    }
    out[site.name] = [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}
