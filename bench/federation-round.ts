// Round overhead of the federation for a SegViz-sized model: 4 site processes and a coordinator
// on loopback, a 4,808,917-parameter float32 weight set (~19 MB), FedAvg sharing everything; run
// twice in one invocation, plain and with secure aggregation (threshold 3, 24 bits), and printed
// side by side. Per round: the time from the last site's upload to the new global weights having
// arrived at every site; the whole round less the slowest site's training; the bytes on the wire
// (counted by a TCP proxy in front of the coordinator) against the floor of 2 x sites x model.
//
//   node dist/bench/federation-round.js [rounds=4]

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCoordinator } from "../src/federation/coordinator/coordinator.js";
import type { RoundRecord, SiteRoundRecord } from "../src/federation/coordinator/round-log.js";
import { silentLogger } from "../src/federation/logging/json-logger.js";
import { QUADRATIC_TRAINER_MODULE } from "../src/federation/simulation/messages.js";
import { forkSite } from "../src/federation/simulation/processes.js";

const PARAMETERS = 4_808_917;
const SITES = 4;
const rounds = Number(process.argv[2] ?? 4);

// A UNet-like layout with exactly PARAMETERS float32 values.
const layout: Record<string, { dtype: "float32"; shape: number[] }> = {};
let left = PARAMETERS;
for (let i = 0; left > 0; i++) {
  const n = Math.min(left, 262_144);
  layout[`model.${i % 2}.submodule.${i}.conv.unit0.conv.weight`] = { dtype: "float32", shape: [n] };
  left -= n;
}
const modelBytes = PARAMETERS * 4;

interface Measured {
  /** Last upload (masked update, when secure) to new weights at every site, per round. */
  overheads: number[];
  /** Round duration less the slowest site's training, per round. */
  beyondTraining: number[];
  bytesPerRound: number;
  stageMs: Record<string, number[]>;
}

async function measure(secure: boolean): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "segviz-bench-"));
  const wire = { toCoordinator: 0, fromCoordinator: 0 };
  const handle = await startCoordinator(
    {
      host: "127.0.0.1",
      port: 0,
      rounds,
      strategy: { name: "fedavg" },
      sites: Array.from({ length: SITES }, (_, k) => ({ id: `site-${k}`, token: `t${k}` })),
      initialModel: { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: 1, layout } },
      minSitesToStart: SITES,
      ...(secure && { secureAggregation: { threshold: 3 } }),
    },
    silentLogger,
  );
  // Everything the sites send and receive passes through this proxy, so its counts are the
  // bytes on the wire (HTTP/2 and gRPC framing included; no TLS).
  const proxy = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: handle.port });
    client.on("data", (b) => {
      wire.toCoordinator += b.length;
    });
    upstream.on("data", (b) => {
      wire.fromCoordinator += b.length;
    });
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  const proxyPort = (proxy.address() as { port: number }).port;
  const sites = Array.from({ length: SITES }, (_, k) =>
    forkSite(
      {
        siteId: `site-${k}`,
        coordinator: `127.0.0.1:${proxyPort}`,
        token: `t${k}`,
        logFile: join(dir, `site-${k}.jsonl`),
      },
      { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: k + 1, layout, stepsPerEpoch: 1 } },
      { threads: 1 },
    ),
  );
  const result = await handle.done;
  await Promise.all(sites.map((s) => s.exit));
  proxy.close();
  const received = new Map<number, number>(); // round -> when the last site had its TRAIN weights
  for (let k = 0; k < SITES; k++) {
    for (const line of readFileSync(join(dir, `site-${k}.jsonl`), "utf8")
      .trim()
      .split("\n")) {
      const e = JSON.parse(line);
      if (e.event === "task-received" && e.kind === "TRAIN")
        received.set(e.round, Math.max(received.get(e.round) ?? 0, e.receivedAt));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const records = result.roundLog.records.filter(
    (r): r is RoundRecord => r.type === "round" && r.status === "completed",
  );
  const siteRounds = result.roundLog.records.filter((r): r is SiteRoundRecord => r.type === "site-round");
  const out: Measured = {
    overheads: [],
    beyondTraining: [],
    bytesPerRound: (wire.toCoordinator + wire.fromCoordinator) / rounds,
    stageMs: {},
  };
  for (const r of records) {
    const training = Math.max(...siteRounds.filter((s) => s.round === r.round).map((s) => s.trainMs ?? 0));
    out.beyondTraining.push(r.durationMs - training);
    for (const [k, v] of Object.entries(r.secureAggregation?.stageMs ?? {})) (out.stageMs[k] ??= []).push(v);
    const next = received.get(r.round + 1);
    if (next !== undefined && r.lastUploadAt !== undefined) out.overheads.push(next - r.lastUploadAt);
  }
  return out;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const plain = await measure(false);
const secure = await measure(true);
const floor = 2 * SITES * modelBytes;
console.log(
  `federation round benchmark: ${SITES} sites, ${PARAMETERS} float32 parameters (${(modelBytes / 1e6).toFixed(2)} MB), loopback, ${rounds} rounds`,
);
const row = (name: string, a: string, b: string, ratio: string) =>
  console.log(`${name.padEnd(52)} ${a.padStart(12)} ${b.padStart(12)} ${ratio.padStart(8)}`);
row("", "plain", "secure", "ratio");
const ms = (v: number) => `${v.toFixed(0)} ms`;
row(
  "last upload -> new weights at every site",
  ms(mean(plain.overheads)),
  ms(mean(secure.overheads)),
  (mean(secure.overheads) / mean(plain.overheads)).toFixed(2),
);
row(
  "round less the slowest site's training",
  ms(mean(plain.beyondTraining)),
  ms(mean(secure.beyondTraining)),
  (mean(secure.beyondTraining) / mean(plain.beyondTraining)).toFixed(2),
);
const mb = (v: number) => `${(v / 1e6).toFixed(2)} MB`;
row(
  "bytes on the wire per round",
  mb(plain.bytesPerRound),
  mb(secure.bytesPerRound),
  (secure.bytesPerRound / plain.bytesPerRound).toFixed(3),
);
row("floor: 2 x sites x model", mb(floor), mb(floor), "");
for (const [stage, v] of Object.entries(secure.stageMs)) row(`  secure stage ${stage}`, "", ms(mean(v)), "");
if (process.env.SEGVIZ_BENCH_DEBUG) console.log(JSON.stringify({ plain, secure }));
