// Every `segviz` command and subcommand explains itself: --help prints usage, every option with
// its help, and examples that the command's own parser accepts; mistakes get exit code 2 and a
// suggestion of the closest valid name.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { type Command, formatHelp, isGroup, parseCommand, UsageError } from "../../src/cli/command-spec.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { REPO_ROOT } from "../fixtures/index.js";

const MAIN = join(REPO_ROOT, "dist", "src", "cli", "main.js");

function allCommands(): Command[] {
  return Object.values(COMMANDS).flatMap((e) => (isGroup(e) ? Object.values(e.subcommands) : [e]));
}

function segviz(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
}

test("the command table holds every command and subcommand, each with a summary", () => {
  const names = allCommands().map((c) => c.spec.name);
  for (const expected of [
    "demo",
    "experiment",
    "train",
    "evaluate",
    "bench train-step",
    "bench train",
    "bench sliding-window",
    "phantom federation",
    "server",
    "client",
    "simulate",
    "predict",
    "seed-summary",
    "info",
  ])
    assert.ok(names.includes(expected), `${expected} missing from the command table`);
  for (const c of allCommands()) assert.ok(c.spec.summary.length > 10, `${c.spec.name}: summary`);
});

for (const command of allCommands()) {
  const { spec } = command;
  test(`segviz ${spec.name} --help: usage, every option with its help, runnable examples`, () => {
    const help = formatHelp(spec);
    assert.ok(help.startsWith(`usage: segviz ${spec.name}`), help.split("\n")[0]);
    for (const [name, o] of Object.entries(spec.options)) {
      assert.ok(o.help.trim().length > 0, `--${name} has no help`);
      assert.match(help, new RegExp(`--${name}\\b`), `--${name} missing from help`);
      if (o.default !== undefined && o.default !== false)
        assert.ok(help.includes(`default: ${o.default}`), `--${name}'s default missing from help`);
    }
    assert.ok(spec.examples.length > 0, "no example");
    for (const example of spec.examples) {
      assert.ok(example.startsWith(`segviz ${spec.name}`), example);
      const argv = example.slice(`segviz ${spec.name}`.length).trim().split(/\s+/).filter(Boolean);
      assert.doesNotThrow(() => parseCommand(spec, argv), `example does not parse: ${example}`);
    }
  });
}

test("the real entry point answers --help for the program, a group and the commands that lacked it", () => {
  for (const args of [
    ["--help"],
    ["bench", "--help"],
    ["train", "--help"],
    ["evaluate", "--help"],
    ["bench", "train-step", "--help"],
    ["phantom", "federation", "-h"],
  ]) {
    const r = segviz(...args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stdout, /^usage: segviz/, args.join(" "));
  }
});

test("unknown options and commands name the command and suggest the closest valid one (exit 2)", () => {
  const option = segviz("demo", "--quik");
  assert.equal(option.status, 2);
  assert.match(option.stderr, /segviz demo: unknown option '--quik'; did you mean '--quick'\?/);
  const sub = segviz("bench", "train-stpe");
  assert.equal(sub.status, 2);
  assert.match(sub.stderr, /unknown subcommand 'train-stpe'; did you mean 'train-step'\?/);
  const cmd = segviz("evalute");
  assert.equal(cmd.status, 2);
  assert.match(cmd.stderr, /unknown command 'evalute'; did you mean 'evaluate'\?/);
  const missing = segviz("train");
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /segviz train: --config is required/);
});

test("a stray argument or a missing value is a usage error, not a crash", () => {
  const spec = allCommands().find((c) => c.spec.name === "predict")!.spec;
  assert.throws(() => parseCommand(spec, ["--checkpoint"]), UsageError);
  assert.throws(() => parseCommand(spec, ["extra"]), /unexpected argument 'extra'/);
});

test("segviz evaluate applies --dice-empty and --distance-empty and records the rules in metrics.json", async () => {
  const { mkdtempSync, mkdirSync, readFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { writeNifti } = await import("../../src/data/nifti/index.js");
  const dir = mkdtempSync(join(tmpdir(), "segviz-evaluate-cli-"));
  try {
    mkdirSync(join(dir, "pred"));
    mkdirSync(join(dir, "truth"));
    const affine = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    // The truth has no spleen (BTCV id 1); the prediction puts spleen (organ index 2) in one voxel.
    const truth = new Uint8Array(27);
    truth[13] = 6; // liver
    const pred = new Uint8Array(27);
    pred[13] = 1;
    pred[0] = 2;
    await writeNifti(join(dir, "truth", "case0001.nii.gz"), {
      shape: [3, 3, 3],
      dtype: "uint8",
      data: truth,
      affine,
    });
    await writeNifti(join(dir, "pred", "case0001.nii.gz"), {
      shape: [3, 3, 3],
      dtype: "uint8",
      data: pred,
      affine,
    });
    const run = (out: string, ...extra: string[]) => {
      const r = segviz(
        "evaluate",
        "--pred",
        join(dir, "pred"),
        "--truth",
        join(dir, "truth"),
        "--truth-label-map",
        "BTCV",
        "--out",
        join(dir, out),
        "--organs",
        "liver,spleen",
        ...extra,
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(readFileSync(join(dir, out, "metrics.json"), "utf8"));
    };
    const ours = run("ours");
    assert.equal(ours.cases.case0001.spleen.dice, 0);
    assert.equal(ours.cases.case0001.liver.dice, 1);
    const monai = run("monai", "--dice-empty", "ignore-empty", "--distance-empty", "monai");
    assert.equal(monai.cases.case0001.spleen.dice, null);
    assert.equal(monai.cases.case0001.spleen.hd95Mm, "Infinity");
    assert.match(monai.rules.dice, /ignore_empty=True/);
    assert.match(monai.rules.surfaceDistance, /MONAI/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("segviz predict needs exactly one of --checkpoint and --model, and names what is wrong with a model folder", async () => {
  const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "segviz-predict-cli-"));
  try {
    const image = join(dir, "a.nii.gz");
    writeFileSync(image, "");
    let r = segviz("predict", "--input", image, "--out", join(dir, "out"));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /give --checkpoint DIR \(one trained model\) or --model DIR \(a study arm\), not both/,
    );
    r = segviz("predict", "--model", dir, "--input", image, "--out", join(dir, "out"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not a study arm \(no experiment\.json in .*; expected STUDY\/arms\/<arm>\)/);
    mkdirSync(join(dir, "x"));
    writeFileSync(join(dir, "x", "a.nii.gz"), "");
    r = segviz(
      "predict",
      "--checkpoint",
      dir,
      "--input",
      image,
      "--input",
      join(dir, "x"),
      "--out",
      join(dir, "out"),
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /have the same file name; their label maps would overwrite each other/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
