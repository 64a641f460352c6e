// `segviz seed-summary --dir DIR`: the across-seed summary of a finished seed sweep (DIR/seed-N/
// report.json), again, against any of its arms as the baseline, without training or evaluating.
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { StudyReport } from "../../experiments/report/report-types.js";
import { parseSeedList } from "../../experiments/seeds/run-seeds.js";
import { summariseSeeds } from "../../experiments/seeds/seed-summary.js";
import { formatSeedTable } from "../../experiments/seeds/seed-table.js";

const USAGE = `usage: segviz seed-summary --dir DIR [--seeds LIST] [--baseline ARM] [--metric NAME] [--out FILE]

Summarises DIR/seed-N/report.json (from segviz experiment/demo --seeds) across seeds: per arm and
organ the mean, spread, min and max over seeds, and a paired Wilcoxon test against the baseline
arm (default: the study's) on per-case Dice averaged over seeds, Holm across organs. --metric
prints one table (dice, diceHead or fusion:<rule>); --out writes the summary as JSON.`;

export async function seedSummaryCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: "string" },
      seeds: { type: "string" },
      baseline: { type: "string" },
      metric: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.dir) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const dir = values.dir;
  const seeds =
    values.seeds !== undefined
      ? parseSeedList(values.seeds)
      : readdirSync(dir)
          .flatMap((n) => (/^seed-(\d+)$/.exec(n) ? [Number(n.slice(5))] : []))
          .sort((a, b) => a - b);
  if (seeds.length === 0) throw new Error(`${dir}: no seed-N folders`);
  const reports = seeds.map((s) => {
    const file = join(dir, `seed-${s}`, "report.json");
    try {
      return JSON.parse(readFileSync(file, "utf8")) as StudyReport;
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
  });
  const summary = summariseSeeds(reports, seeds, values.baseline);
  const metrics = values.metric !== undefined ? [values.metric] : Object.keys(summary.metrics);
  console.log(metrics.map((m) => formatSeedTable(summary, m)).join("\n\n"));
  if (values.out) await writeFile(values.out, `${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
