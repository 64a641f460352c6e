// outDir/experiment.json is an experiment file: written from a resolved experiment and read back,
// it gives the same experiment, for every config in the repository, every demo scale and every arm
// kind with its knobs set.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ARM_KINDS } from "../../src/experiments/config/arms.js";
import { parseExperimentConfig } from "../../src/experiments/config/experiment-config.js";
import { experimentRecord } from "../../src/experiments/config/experiment-record.js";
import { demoPlan } from "../../src/experiments/demo/demo-config.js";
import { REPO_ROOT } from "../fixtures/index.js";

function roundTrip(value: unknown, source: string): void {
  const first = parseExperimentConfig(value, source);
  const record = experimentRecord(first);
  const again = parseExperimentConfig(record, `${source} (record)`);
  assert.deepEqual(again, first, source);
  // Writing the second one gives the same file: the form is stable.
  assert.deepEqual(experimentRecord(again), record, source);
}

const configs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? configs(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
  );

test("every experiment config in configs/ survives a round trip through its record", () => {
  const files = configs(join(REPO_ROOT, "configs"));
  assert.ok(files.length >= 5, files.join());
  for (const f of files) roundTrip(JSON.parse(readFileSync(f, "utf8")), f);
});

test("every demo scale survives a round trip through its record", () => {
  for (const scale of ["tiny", "quick", "full", "gpu"] as const)
    roundTrip(experimentRecord(demoPlan(scale, "/tmp/demo", { seed: 3 }).experiment), scale);
});

test("every arm kind, with each of its knobs set, survives a round trip", () => {
  const base = experimentRecord(demoPlan("tiny", "/tmp/demo").experiment);
  const knobs: Record<string, Record<string, unknown>> = {
    "central-marginal": { lambdaExclusion: 0.5 },
    "segviz-fedprox": { proximalMu: 0.1, roundEpochs: 1, weighting: "cases" },
    "segviz-fedadam": { serverLearningRate: 0.02, tau: 0.01, optimizerState: "keep" },
    "segviz-fedbn": { localStatistics: true },
    condistfl: { optimizerState: "reset" },
  };
  const arms = ARM_KINDS.map((kind) => ({ kind, name: `my-${kind}`, label: `My ${kind}`, ...knobs[kind] }));
  roundTrip({ ...base, arms, baseline: "my-individual" }, "all arms");
  const parsed = parseExperimentConfig({ ...base, arms, baseline: "my-individual" }, "all arms");
  // The knobs reach the arms (not only the record).
  const byKind = new Map(parsed.arms.map((a) => [a.kind, a]));
  assert.equal(byKind.get("central-marginal")!.lambdaExclusion, 0.5);
  assert.deepEqual(byKind.get("segviz-fedprox")!.strategy, {
    name: "fedprox",
    headLocal: true,
    proximalMu: 0.1,
    weighting: "cases",
  });
  assert.equal(byKind.get("segviz-fedprox")!.roundEpochs, 1);
  assert.equal(byKind.get("condistfl")!.optimizerState, "reset");
  // Defaults are written out: a record does not depend on today's defaults.
  const record = experimentRecord(
    parseExperimentConfig(
      { ...base, arms: ["condistfl", "segviz-fedadam"], baseline: "condistfl" },
      "defaults",
    ),
  );
  assert.deepEqual(record.arms, [
    {
      kind: "condistfl",
      name: "condistfl",
      label: "ConDistFL",
      optimizerState: "keep",
      weighting: "uniform",
      localStatistics: false,
    },
    {
      kind: "segviz-fedadam",
      name: "segviz-fedadam",
      label: "SegViz (FedAdam)",
      serverLearningRate: 0.01,
      tau: 0.001,
      weighting: "uniform",
      localStatistics: false,
    },
  ]);
});

test("the record names every setting: training, inference, evaluation and the label maps in full", () => {
  type Fields = Record<string, Record<string, unknown>>;
  const record = experimentRecord(demoPlan("quick", "/tmp/demo").experiment) as unknown as Fields & {
    sites: Fields[];
  };
  assert.equal(record.training.optimizerState, "reset");
  assert.equal(record.inference.fusion, "max");
  assert.equal(record.augment.imageThreshold, 0);
  assert.equal(record.sites[0].labelMap.name, "MSD Task03 Liver");
  assert.equal(record.sites[0].organs, undefined);
  assert.equal(record.model.inChannels, undefined);
  assert.equal(record.test.maxCases, undefined);
});
