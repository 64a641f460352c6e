// Child process of bench/federation-round.ts: several light sites in one process (one gRPC
// connection each), so that 64 sites fit a 2-core machine. A light site takes one gradient step
// of the quadratic test trainer per round on the full weight layout and sends the real
// 4.8M-parameter update back: the coordinator sees what 64 hospitals would send it.
//
//   node dist/bench/light-sites.js '{"address", "ids": [...], "logDir", "layout"}'

import { join } from "node:path";
import { runSite } from "../src/federation/site/site-client.js";
import { QuadraticTestTrainer } from "../src/federation/testing/quadratic-trainer.js";

interface LightSites {
  address: string;
  ids: string[];
  logDir: string;
  layout: Record<string, { dtype: "float32"; shape: number[] }>;
}

const spec = JSON.parse(process.argv[2]) as LightSites;
await Promise.all(
  spec.ids.map((id, k) =>
    runSite(
      {
        siteId: id,
        coordinator: spec.address,
        token: `token-${id}`,
        logFile: join(spec.logDir, `${id}.jsonl`),
      },
      new QuadraticTestTrainer({ siteSeed: k + 1, layout: spec.layout, stepsPerEpoch: 1 }),
    ),
  ),
);
