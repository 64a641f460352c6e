// The experiment file: the study's defaults, the paper's config, and errors that name the field.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseExperimentConfig } from "../../src/experiments/config/experiment-config.js";

const minimal = () => ({
  outDir: "out",
  sites: [
    {
      name: "liver",
      data: { layout: "msd", root: "/d/Task03" },
      labelMap: "MSD_TASK03_LIVER",
      window: [-200, 200],
    },
    {
      name: "spleen",
      data: { layout: "msd", root: "/d/Task09" },
      labelMap: "MSD_TASK09_SPLEEN",
      window: [-57, 164],
    },
  ],
  test: { data: { layout: "btcv", root: "/d/btcv" }, labelMap: "BTCV" },
});

function fails(change: (c: Record<string, unknown>) => void, field: RegExp): void {
  const c = minimal() as unknown as Record<string, unknown>;
  change(c);
  assert.throws(
    () => parseExperimentConfig(c, "study.json"),
    (e: Error) => {
      assert.match(e.message, /^study\.json: /);
      assert.match(e.message, field);
      return true;
    },
  );
}

test("defaults are the SegViz study's settings (docs/study.md)", () => {
  const c = parseExperimentConfig(minimal(), "study.json");
  assert.deepEqual(c.model.channels, [16, 32, 64, 128, 256]);
  assert.deepEqual(c.model.strides, [2, 2, 2, 2]);
  assert.equal(c.model.numResUnits, 2);
  assert.equal(c.training.lr, 1e-4);
  assert.equal(c.training.epochs, 500);
  assert.equal(c.training.roundEpochs, 10);
  assert.equal(c.training.headFineTuneEpochs, 150);
  assert.equal(c.training.batchSize, 2);
  assert.equal(c.training.loss, "dice");
  assert.equal(c.training.precision, "fp32");
  assert.deepEqual(c.augment.patchSize, [128, 128, 32]);
  assert.equal(c.augment.numSamples, 4);
  assert.deepEqual(c.preprocess.pixdim, [1.5, 1.5, 2]);
  assert.deepEqual(c.inference.roi, [160, 160, 160]);
  assert.equal(c.inference.swBatchSize, 4);
  assert.deepEqual(c.centralWindow, [-200, 304]);
  assert.deepEqual(
    c.arms.map((a) => a.name),
    ["individual", "central", "central-marginal", "segviz-fedavg", "segviz-fedbn"],
  );
  assert.equal(c.baseline, "individual");
  assert.deepEqual(c.sites[0]!.organs, ["liver"]);
  assert.deepEqual(c.sites[1]!.organs, ["spleen"]);
  // FedAvg keeps only the heads local; FedBN also BatchNorm; both keep heads at the site.
  // Unweighted averaging, as the study.
  assert.deepEqual(c.arms[3]!.strategy, { name: "segviz", weighting: "uniform" });
  assert.deepEqual(c.arms[4]!.strategy, { name: "fedbn", headLocal: true, weighting: "uniform" });
  // A site's Adam state restarts every round unless asked; no arm overrides it or the round length.
  assert.equal(c.training.optimizerState, "reset");
  assert.ok(c.arms.every((a) => a.optimizerState === undefined && a.roundEpochs === undefined));
  // Head fusion by the highest probability, and no extra fusion rules scored.
  assert.equal(c.inference.fusion, "max");
  assert.deepEqual(c.evaluation.fusionRules, []);
});

test("the paper's config parses, with the study's windows and data sets", () => {
  const raw = JSON.parse(
    readFileSync(new URL("../../../configs/segviz-paper.json", import.meta.url), "utf8"),
  );
  const c = parseExperimentConfig(raw, "configs/segviz-paper.json");
  assert.deepEqual(
    c.sites.map((s) => [s.organs[0], s.window]),
    [
      ["liver", [-200, 200]],
      ["spleen", [-57, 164]],
      ["pancreas", [-87, 199]],
      ["kidney", [-79, 304]],
    ],
  );
  assert.equal(c.test.labelMap.name, "BTCV");
  assert.equal(c.device, "cuda");
  assert.equal(c.training.epochs / c.training.roundEpochs, 50);
  assert.ok(Math.abs(c.augment.affine!.rotateRange[2] - Math.PI / 15) < 1e-12);
  assert.equal(c.arms.length, 7);
});

test("errors name the file and the field", () => {
  fails((c) => delete c.sites, /missing field 'sites'/);
  fails(
    (c) => ((c.sites as { window: number[] }[])[1]!.window = [164, -57]),
    /\/sites\/1\/window: needs low < high/,
  );
  fails(
    (c) => ((c.sites as { name: string }[])[1]!.name = "liver"),
    /\/sites\/1\/name: site 'liver' is listed twice/,
  );
  fails(
    (c) => ((c.sites as { labelMap: string }[])[0]!.labelMap = "NOPE"),
    /\/sites\/0\/labelMap: unknown label map 'NOPE'/,
  );
  fails((c) => (c.arms = ["individual", "fedsgd"]), /\/arms\/1/);
  fails(
    (c) => (c.arms = ["individual", { kind: "segviz-fedbn", proximalMu: 0.1 }]),
    /\/arms\/1\/proximalMu: not an option/,
  );
  fails((c) => (c.arms = ["individual", "individual"]), /\/arms: two arms are named 'individual'/);
  fails((c) => {
    c.arms = ["individual", "segviz-fedbn"];
    c.baseline = "central";
  }, /\/baseline: 'central' is not one of the arms/);
  fails((c) => (c.training = { epochs: 25, roundEpochs: 10 }), /\/training\/roundEpochs: epochs \(25\)/);
  fails(
    (c) => (c.augment = { patchSize: [128, 128, 24] }),
    /\/augment\/patchSize: \[128, 128, 24\] must be multiples of 16/,
  );
  fails((c) => (c.inference = { roi: [96, 96, 40] }), /\/inference\/roi/);
  fails((c) => (c.device = "tpu"), /\/device/);
  fails((c) => (c.training = { lr: 0 }), /\/training\/lr/);
  fails(
    (c) => (c.training = { precision: "fp16" }),
    /\/training\/precision: "fp16" needs a CUDA device \(\/device is "cpu"\)/,
  );
  fails((c) => (c.training = { precision: "int8" }), /\/training\/precision/);
  fails((c) => (c.colour = "blue"), /unknown field 'colour'/);
});

test("arms can be renamed and tuned, e.g. two FedProx arms", () => {
  const c = parseExperimentConfig(
    {
      ...minimal(),
      arms: [
        "individual",
        { kind: "segviz-fedprox", name: "fedprox-small", proximalMu: 0.001 },
        { kind: "segviz-fedprox", name: "fedprox-large", proximalMu: 0.1, label: "FedProx mu=0.1" },
      ],
    },
    "study.json",
  );
  assert.deepEqual(
    c.arms.map((a) => [a.name, a.strategy?.proximalMu, a.label]),
    [
      ["individual", undefined, "Individual"],
      ["fedprox-small", 0.001, "SegViz (FedProx)"],
      ["fedprox-large", 0.1, "FedProx mu=0.1"],
    ],
  );
});

test("`segviz experiment` names the file and the field of a bad config, and exits 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "segviz-exp-"));
  try {
    const file = join(dir, "study.json");
    const c = minimal();
    c.sites[0]!.window = [200, -200];
    writeFileSync(file, JSON.stringify(c));
    const main = new URL("../../src/cli/main.js", import.meta.url).pathname;
    const r = spawnSync(process.execPath, [main, "experiment", "--config", file], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: invalid config`));
    assert.match(r.stderr, /\/sites\/0\/window: needs low < high HU, got \[200, -200\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("federated arms take optimizerState, roundEpochs and weighting into their ArmSpec", () => {
  const c = parseExperimentConfig(
    {
      ...minimal(),
      training: { epochs: 40, roundEpochs: 10, optimizerState: "keep" },
      arms: [
        "individual",
        { kind: "segviz-fedavg", name: "fedavg-keep", optimizerState: "keep", roundEpochs: 5 },
        { kind: "segviz-fedbn", weighting: "cases", optimizerState: "reset" },
        { kind: "segviz-fedprox", proximalMu: 0.1, roundEpochs: 20, weighting: "uniform" },
        { kind: "segviz-fedadam", weighting: "cases" },
      ],
    },
    "study.json",
  );
  assert.equal(c.training.optimizerState, "keep");
  const [individual, fedavg, fedbn, fedprox, fedadam] = c.arms;
  assert.equal(individual!.optimizerState, undefined);
  assert.equal(individual!.strategy, undefined);
  assert.equal(fedavg!.family, "federated");
  assert.equal(fedavg!.optimizerState, "keep");
  assert.equal(fedavg!.roundEpochs, 5);
  assert.deepEqual(fedavg!.strategy, { name: "segviz", weighting: "uniform" });
  assert.equal(fedbn!.optimizerState, "reset");
  assert.equal(fedbn!.roundEpochs, undefined, "no override: training.roundEpochs applies");
  assert.deepEqual(fedbn!.strategy, { name: "fedbn", headLocal: true, weighting: "cases" });
  assert.equal(fedprox!.roundEpochs, 20);
  assert.equal(fedprox!.optimizerState, undefined, "no override: training.optimizerState applies");
  assert.deepEqual(fedprox!.strategy, {
    name: "fedprox",
    headLocal: true,
    proximalMu: 0.1,
    weighting: "uniform",
  });
  assert.equal(fedadam!.strategy?.weighting, "cases");
  assert.equal(fedadam!.strategy?.name, "fedadam");
});

test("the condistfl arm is one federated model: FedAvg over everything, no local head", () => {
  const c = parseExperimentConfig(
    {
      ...minimal(),
      arms: ["individual", "condistfl", { kind: "condistfl", name: "cd-keep", optimizerState: "keep" }],
    },
    "study.json",
  );
  const cd = c.arms[1]!;
  assert.equal(cd.kind, "condistfl");
  assert.equal(cd.name, "condistfl");
  assert.equal(cd.label, "ConDistFL");
  assert.equal(cd.family, "federated");
  assert.deepEqual(cd.strategy, { name: "fedavg", weighting: "uniform" });
  assert.equal(cd.strategy?.headLocal, undefined);
  assert.equal(c.arms[2]!.optimizerState, "keep");
  assert.equal(c.arms[2]!.family, "federated");
});

test("federated-only arm options are refused on other arms, and bad values name the field", () => {
  for (const kind of ["individual", "central"]) {
    for (const [option, value] of [
      ["optimizerState", "keep"],
      ["roundEpochs", 10],
      ["weighting", "cases"],
    ] as const) {
      fails(
        (c) => (c.arms = ["segviz-fedavg", { kind, [option]: value }]),
        new RegExp(`/arms/1/${option}: not an option of a '${kind}' arm`),
      );
    }
  }
  fails(
    (c) => (c.arms = [{ kind: "central-marginal", roundEpochs: 10 }]),
    /\/arms\/0\/roundEpochs: not an option of a 'central-marginal' arm/,
  );
  // An arm's round length must divide the epochs (500 by default), like training.roundEpochs.
  fails(
    (c) => (c.arms = ["individual", "segviz-fedbn", { kind: "segviz-fedavg", roundEpochs: 30 }]),
    /\/arms\/2\/roundEpochs: epochs \(500\) must be a whole number of rounds of 30 epochs/,
  );
  fails((c) => {
    c.training = { epochs: 40, roundEpochs: 10 };
    c.arms = [{ kind: "condistfl", roundEpochs: 15 }];
  }, /\/arms\/0\/roundEpochs: epochs \(40\)/);
  fails((c) => (c.arms = [{ kind: "segviz-fedavg", optimizerState: "sometimes" }]), /\/arms\/0/);
  fails((c) => (c.arms = [{ kind: "segviz-fedavg", weighting: "sizes" }]), /\/arms\/0/);
  fails((c) => (c.arms = [{ kind: "segviz-fedavg", roundEpochs: 2.5 }]), /\/arms\/0/);
  fails((c) => (c.training = { optimizerState: "sometimes" }), /\/training\/optimizerState/);
});

test("inference.fusion and evaluation.fusionRules take the fusion rules, and name the field otherwise", () => {
  const c = parseExperimentConfig(
    {
      ...minimal(),
      inference: { fusion: "calibrated" },
      evaluation: { fusionRules: ["max", "logit-softmax", "uncertainty"] },
    },
    "study.json",
  );
  assert.equal(c.inference.fusion, "calibrated");
  assert.deepEqual(c.evaluation.fusionRules, ["max", "logit-softmax", "uncertainty"]);
  // The other evaluation settings keep their defaults.
  assert.equal(c.evaluation.alpha, 0.05);
  assert.equal(c.evaluation.hd95, true);
  fails((c) => (c.evaluation = { fusionRules: ["max", "vote"] }), /\/evaluation\/fusionRules\/1/);
  fails((c) => (c.evaluation = { fusionRules: ["max", "max"] }), /\/evaluation\/fusionRules/);
  fails((c) => (c.inference = { fusion: "vote" }), /\/inference\/fusion: must be one of max, calibrated/);
});
