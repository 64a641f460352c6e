// `segviz phantom federation`: writes the built-in partially labelled phantom federation.
import {
  PHANTOM_SIZES,
  type PhantomOrgan,
  type PhantomSize,
  writePhantomFederation,
} from "../../data/phantom/index.js";
import { logEvent } from "../../util/progress.js";
import type { Command, CommandGroup, OptionValues } from "../command-spec.js";
import { choiceOption, intOption } from "../options.js";

const federation: Command = {
  spec: {
    name: "phantom federation",
    summary: "write the built-in phantom sites and external test set",
    description: `Writes four training sites in Medical Segmentation Decathlon layout (site-liver, site-spleen,
site-pancreas, site-kidney; each labels only its own organ, each with its own scanner style)
and an external test set in BTCV layout with every organ labelled (docs/data-formats.md).
--site-cases sets unequal site sizes (organs not named keep --cases-per-site).`,
    options: {
      out: { type: "string", value: "DIR", required: true, help: "output folder" },
      size: { type: "string", value: "tiny|demo|large", default: "demo", help: "volume size and resolution" },
      seed: { type: "string", value: "N", default: "1", help: "seed of the anatomy and scanner noise" },
      "cases-per-site": { type: "string", value: "N", default: "8", help: "training cases per site" },
      "site-cases": {
        type: "string",
        value: "ORGAN=N,...",
        help: "per-site case counts, e.g. liver=5,spleen=2",
      },
      "test-cases": { type: "string", value: "N", default: "6", help: "external test cases" },
    },
    examples: [
      "segviz phantom federation --out phantom",
      "segviz phantom federation --out phantom-study --site-cases liver=5,spleen=2,pancreas=10,kidney=8 --test-cases 8",
    ],
  },
  run: writeFederation,
};

export const phantomCommand: CommandGroup = {
  name: "phantom",
  summary: "the built-in phantom data",
  subcommands: { federation },
};

async function writeFederation(values: OptionValues): Promise<number> {
  const str = (name: string) => values[name] as string | undefined;
  const out = values.out as string;
  const sizes = Object.keys(PHANTOM_SIZES) as PhantomSize[];
  const size = choiceOption(str("size"), "size", sizes, "demo");
  const opts = {
    seed: intOption(str("seed"), "seed", 1),
    casesPerSite: intOption(str("cases-per-site"), "cases-per-site", 8, 1),
    testCases: intOption(str("test-cases"), "test-cases", 6, 1),
    size,
    siteCases: parseSiteCases(str("site-cases")),
  };
  logEvent({ event: "phantom.start", out, ...opts });
  const result = await writePhantomFederation(out, opts);
  logEvent({ event: "phantom.done", out, timings: result.timings });
  console.log(`wrote the phantom federation to ${out}`);
  return 0;
}

/** "liver=5,spleen=2" -> { liver: 5, spleen: 2 }; the organs are checked against the sites later. */
function parseSiteCases(text: string | undefined): Partial<Record<PhantomOrgan, number>> | undefined {
  if (text === undefined) return undefined;
  const out: Partial<Record<PhantomOrgan, number>> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([a-z]+)=(\d+)\s*$/.exec(part);
    if (m === null)
      throw new Error(`--site-cases: expected ORGAN=N,... (e.g. liver=5,spleen=2), got '${text}'`);
    out[m[1] as PhantomOrgan] = intOption(m[2], `site-cases ${m[1]}`, 1, 1);
  }
  return out;
}
