// `segviz phantom federation`: writes the built-in partially labelled phantom federation.
import { parseArgs } from "node:util";
import {
  PHANTOM_SIZES,
  type PhantomOrgan,
  type PhantomSize,
  writePhantomFederation,
} from "../../data/phantom/index.js";
import { logEvent } from "../../util/progress.js";
import { choiceOption, intOption } from "../options.js";

const USAGE = `usage: segviz phantom federation --out DIR [--size tiny|demo|large] [--seed N] [--cases-per-site N] [--site-cases ORGAN=N,...] [--test-cases N]

Writes four training sites in Medical Segmentation Decathlon layout (site-liver, site-spleen,
site-pancreas, site-kidney; each labels only its own organ, each with its own scanner style)
and an external test set in BTCV layout with every organ labelled.`;

export async function phantomCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== "federation") {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: "string" },
      size: { type: "string" },
      seed: { type: "string" },
      "cases-per-site": { type: "string" },
      "site-cases": { type: "string" },
      "test-cases": { type: "string" },
    },
  });
  if (!values.out) {
    console.error(`segviz phantom: --out is required\n\n${USAGE}`);
    return 2;
  }
  const sizes = Object.keys(PHANTOM_SIZES) as PhantomSize[];
  const size = choiceOption(values.size, "size", sizes, "demo");
  const opts = {
    seed: intOption(values.seed, "seed", 1),
    casesPerSite: intOption(values["cases-per-site"], "cases-per-site", 8, 1),
    testCases: intOption(values["test-cases"], "test-cases", 6, 1),
    size,
    siteCases: parseSiteCases(values["site-cases"]),
  };
  logEvent({ event: "phantom.start", out: values.out, ...opts });
  const result = await writePhantomFederation(values.out, opts);
  logEvent({ event: "phantom.done", out: values.out, timings: result.timings });
  console.log(`wrote the phantom federation to ${values.out}`);
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
