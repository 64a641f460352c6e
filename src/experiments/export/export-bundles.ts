// `segviz export`: a trained checkpoint, or every member of a study arm, as MONAI Bundles (one per
// head), each with a model card built from what the study recorded: the arm and its strategy, the
// sites and their case counts, and the arm's external-test Dice (report.json).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  type BundleInference,
  type ModelCard,
  writeMonaiBundle,
} from "../../training/export/monai-bundle.js";
import { loadPredictor, type Predictor } from "../../training/predict/load-predictor.js";
import { programVersion } from "../../util/program-version.js";
import type { ArmSpec } from "../config/arms.js";
import type { ExperimentConfig } from "../config/experiment-config.js";
import { openStudyArmMembers } from "../evaluation/study-arm.js";
import type { StudyReport } from "../report/report-types.js";

async function readJson<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/** A lone checkpoint's card: its site, and its case count from the split beside it. */
async function checkpointCard(dir: string): Promise<ModelCard> {
  const info = await readJson<{ site?: string; heads?: { organs: string[] }[] }>(join(dir, "trainer.json"));
  const split = await readJson<{ train: string[]; validation: string[] }>(
    join(dirname(resolve(dir)), "split.json"),
  );
  const site = info?.site ?? basename(dirname(resolve(dir)));
  return {
    source: `checkpoint ${dir}`,
    sites: [
      {
        name: site,
        cases: split === undefined ? 0 : split.train.length + split.validation.length,
        organs: [...new Set((info?.heads ?? []).flatMap((h) => h.organs))],
      },
    ],
  };
}

async function armCard(exp: ExperimentConfig, arm: ArmSpec): Promise<ModelCard> {
  const name = arm.name;
  const report = await readJson<StudyReport>(join(exp.outDir, "report.json"));
  const armReport = report?.arms.find((a) => a.name === name);
  return {
    source: `the ${arm.label} arm of study ${exp.name}`,
    strategy: arm.strategy?.name,
    sites:
      report?.sites.map((s) => ({ name: s.name, cases: s.trainingCases, organs: s.organs })) ??
      exp.sites.map((s) => ({ name: s.name, cases: 0, organs: s.organs })),
    ...(armReport !== undefined && {
      externalDice: Object.fromEntries(Object.entries(armReport.summary).map(([o, s]) => [o, s.dice])),
      testSet: report?.testSet.name,
    }),
  };
}

/** Writes one bundle per head of every model in `dir` under outDir; returns their folders. */
export async function exportBundles(dir: string, outDir: string): Promise<string[]> {
  const isArm =
    existsSync(join(resolve(dir, "..", ".."), "experiment.json")) && existsSync(join(dir, "arm.json"));
  let members: { predictor: Predictor; prefix: string }[];
  let card: ModelCard;
  let inference: BundleInference | undefined;
  if (isArm) {
    const opened = await openStudyArmMembers(dir);
    const { exp } = opened;
    inference = {
      roi: exp.inference.roi,
      overlap: exp.inference.overlap,
      swBatchSize: exp.inference.swBatchSize,
    };
    members = opened.members.map((predictor, i) => ({
      predictor,
      prefix: opened.members.length > 1 ? `${opened.name}-${i}` : opened.name,
    }));
    card = await armCard(exp, opened.arm);
  } else if (existsSync(join(dir, "trainer.json"))) {
    members = [{ predictor: await loadPredictor(dir), prefix: "model" }];
    card = await checkpointCard(dir);
  } else
    throw new Error(
      `${dir}: neither a checkpoint (trainer.json) nor a study arm (STUDY/arms/<arm> with arm.json)`,
    );
  const program = programVersion();
  const written: string[] = [];
  try {
    for (const m of members)
      for (const h of m.predictor.heads)
        written.push(
          await writeMonaiBundle({
            predictor: m.predictor,
            task: h.task,
            outDir: join(outDir, `${m.prefix}-${h.task}`),
            program,
            inference,
            card,
          }),
        );
  } finally {
    for (const m of members) m.predictor.model.dispose();
  }
  return written;
}
