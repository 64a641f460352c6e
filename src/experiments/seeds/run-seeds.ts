// A study run once per training seed, each in its own folder (outDir/seed-N) over one shared
// preprocessing cache, then summarised across seeds (seed-summary.ts): outDir/seeds.json and
// outDir/seeds.txt. `resume` reuses what earlier runs of the same folders finished, so a sweep can be
// extended by more seeds or more arms without retraining what exists.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { logEvent } from "../../util/progress.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import type { StudyReport } from "../report/report-types.js";
import { runStudy, type StudyOptions } from "../run-study.js";
import { type SeedSummary, summariseSeeds } from "./seed-summary.js";
import { formatSeedTable } from "./seed-table.js";

/** "1,2,5" or "1-5" (or a mix) into distinct non-negative integers, in the order given. */
export function parseSeedList(text: string, field = "--seeds"): number[] {
  const out: number[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    const values = range
      ? Array.from(
          { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
          (_, i) => Number(range[1]) + i,
        )
      : /^\d+$/.test(part)
        ? [Number(part)]
        : null;
    if (values === null || values.length === 0)
      throw new Error(`${field}: expected seeds like "1,2,3" or "1-5", got ${JSON.stringify(text)}`);
    for (const v of values) if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** The experiment as run for one seed: its own output folder, the shared preprocessing cache. */
export function seedExperiment(exp: ExperimentConfig, seed: number): ExperimentConfig {
  return { ...exp, seed, outDir: join(exp.outDir, `seed-${seed}`), cacheDir: exp.cacheDir };
}

export interface SeedStudyResult {
  reports: StudyReport[];
  summary: SeedSummary;
  text: string;
}

export async function runSeeds(
  exp: ExperimentConfig,
  seeds: readonly number[],
  opts: StudyOptions = {},
): Promise<SeedStudyResult> {
  if (seeds.length === 0) throw new Error("runSeeds: no seeds");
  await mkdir(exp.outDir, { recursive: true });
  const reports: StudyReport[] = [];
  for (const [i, seed] of seeds.entries()) {
    logEvent({
      event: "seeds.seed",
      seed,
      index: i + 1,
      of: seeds.length,
      out: seedExperiment(exp, seed).outDir,
    });
    reports.push(await runStudy(seedExperiment(exp, seed), { ...opts, print: null }));
  }
  const summary = summariseSeeds(reports, seeds);
  const text = Object.keys(summary.metrics)
    .map((m) => formatSeedTable(summary, m))
    .join("\n\n");
  await writeFile(join(exp.outDir, "seeds.json"), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(exp.outDir, "seeds.txt"), `${text}\n`);
  const print = opts.print === undefined ? (t: string) => console.log(t) : opts.print;
  print?.(`\n${text}`);
  return { reports, summary, text };
}
