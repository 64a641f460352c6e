// One arm of two seed sweeps side by side (e.g. the same trained models evaluated two ways), with
// the seed-aware paired test of the second against the first (segviz seed-summary's statistics).
// ARM may be ARM:RULE to score the label map of another fusion rule the sweep evaluated.
//   node scripts/compare-sweeps.mjs DIR_A ARM_A LABEL_A DIR_B ARM_B LABEL_B [SEEDS=1-5]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSeedList } from "../dist/src/experiments/seeds/run-seeds.js";
import { summariseSeeds } from "../dist/src/experiments/seeds/seed-summary.js";
import { formatSeedTable } from "../dist/src/experiments/seeds/seed-table.js";

const [dirA, armA, labelA, dirB, armB, labelB, seedText = "1-5"] = process.argv.slice(2);
if (!armB) {
  console.error("usage: node scripts/compare-sweeps.mjs DIR_A ARM_A LABEL_A DIR_B ARM_B LABEL_B [SEEDS]");
  process.exit(2);
}
const seeds = parseSeedList(seedText);
const read = (dir, s) => JSON.parse(readFileSync(join(dir, `seed-${s}`, "report.json"), "utf8"));
const reports = seeds.map((s) => {
  const a = read(dirA, s);
  const b = read(dirB, s);
  const pick = (r, spec, label, as) => {
    const [name, rule] = spec.split(":");
    const arm = r.arms.find((x) => x.name === name);
    if (arm === undefined) throw new Error(`no arm '${name}' in ${r.title}`);
    const perCase = rule
      ? arm.perCase.map((c) => {
          if (!c.diceFusion?.[rule]) throw new Error(`arm '${name}' has no scores of fusion rule '${rule}'`);
          return { ...c, dice: c.diceFusion[rule], diceFusion: undefined };
        })
      : arm.perCase.map((c) => ({ ...c, diceFusion: undefined }));
    return { ...arm, perCase, name: as, label };
  };
  return { ...a, baseline: "a", arms: [pick(a, armA, labelA, "a"), pick(b, armB, labelB, "b")] };
});
const summary = summariseSeeds(reports, seeds);
console.log(["dice", "diceHead"].map((m) => formatSeedTable(summary, m)).join("\n\n"));
