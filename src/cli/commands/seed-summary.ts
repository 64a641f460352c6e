// `segviz seed-summary --dir DIR`: the across-seed summary of a finished seed sweep (DIR/seed-N/
// report.json), again, against any of its arms as the baseline, without training or evaluating.
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StudyReport } from "../../experiments/report/report-types.js";
import { parseSeedList } from "../../experiments/seeds/run-seeds.js";
import { summariseSeeds } from "../../experiments/seeds/seed-summary.js";
import { formatSeedTable } from "../../experiments/seeds/seed-table.js";
import type { Command, OptionValues } from "../command-spec.js";

export const seedSummaryCommand: Command = {
  spec: {
    name: "seed-summary",
    summary: "a finished seed sweep summarised across seeds, against any arm",
    description: `Summarises DIR/seed-N/report.json (from segviz experiment/demo --seeds) across seeds: per arm
and organ the mean, spread, min and max over seeds, and a paired Wilcoxon test against the
baseline arm on per-case Dice averaged over seeds, Holm across organs. Trains nothing.`,
    options: {
      dir: { type: "string", value: "DIR", required: true, help: "the sweep's folder (holding seed-N/)" },
      seeds: {
        type: "string",
        value: "LIST",
        defaultText: "every seed-N folder",
        help: "seeds to include, e.g. 1-5",
      },
      baseline: {
        type: "string",
        value: "ARM",
        defaultText: "the study's baseline",
        help: "the arm others are tested against",
      },
      metric: {
        type: "string",
        value: "NAME",
        defaultText: "every metric",
        help: "one table: dice, diceHead or fusion:<rule>",
      },
      out: { type: "string", value: "FILE", help: "also write the summary as JSON" },
    },
    examples: [
      "segviz seed-summary --dir diagnosis-out/ablations --baseline fedavg",
      "segviz seed-summary --dir segviz-demo --metric fusion:calibrated --out summary.json",
    ],
  },
  run: summariseSweep,
};

async function summariseSweep(values: OptionValues): Promise<number> {
  const dir = values.dir as string;
  const seeds =
    values.seeds !== undefined
      ? parseSeedList(values.seeds as string)
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
  const summary = summariseSeeds(reports, seeds, values.baseline as string | undefined);
  const metrics = values.metric !== undefined ? [values.metric as string] : Object.keys(summary.metrics);
  console.log(metrics.map((m) => formatSeedTable(summary, m)).join("\n\n"));
  if (values.out) await writeFile(values.out as string, `${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
