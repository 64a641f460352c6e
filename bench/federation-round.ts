// Round overhead of the federation for a SegViz-sized model: 4 site processes and a coordinator
// on loopback, a 4,808,917-parameter float32 weight set (~19 MB), FedAvg sharing everything.
// Prints, per round, the time from the last site's upload to the new global weights having
// arrived at every site, and the bytes on the wire (counted by a TCP proxy in front of the
// coordinator) against the floor of 2 x sites x model size.
//
//   node dist/bench/federation-round.js [rounds=4]

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCoordinator } from "../src/federation/coordinator/coordinator.js";
import type { RoundRecord } from "../src/federation/coordinator/round-log.js";
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

const dir = mkdtempSync(join(tmpdir(), "segviz-bench-"));
const wire = { toCoordinator: 0, fromCoordinator: 0 };
const handle = await startCoordinator(
  {
    host: "127.0.0.1",
    port: 0,
    rounds,
    strategy: { name: "fedavg" },
    sites: Array.from({ length: SITES }, (_, k) => ({ id: `site-${k}`, token: `t${k}` })),
    minSitesToStart: SITES,
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
console.log(
  `federation round benchmark: ${SITES} sites, ${PARAMETERS} float32 parameters (${(modelBytes / 1e6).toFixed(2)} MB), loopback`,
);
const overheads: number[] = [];
for (const r of records) {
  const next = received.get(r.round + 1);
  if (next === undefined || r.lastUploadAt === undefined) continue;
  const overhead = next - r.lastUploadAt;
  overheads.push(overhead);
  console.log(
    `round ${r.round}: last upload -> new global weights at all ${SITES} sites: ${overhead.toFixed(0)} ms ` +
      `(aggregation ${r.aggregationMs?.toFixed(0)} ms, close ${r.closeMs?.toFixed(0)} ms)`,
  );
}
const floor = 2 * SITES * modelBytes * rounds;
const onWire = wire.toCoordinator + wire.fromCoordinator;
// The first exchange also carries the initial weights from one site (1 x model size).
const floorWithInit = floor + modelBytes;
const mean = overheads.reduce((a, b) => a + b, 0) / Math.max(1, overheads.length);
console.log(`round overhead (mean of ${overheads.length} rounds): ${mean.toFixed(0)} ms`);
console.log(
  `bytes on the wire: ${(onWire / 1e6).toFixed(2)} MB for ${rounds} rounds + initialisation; ` +
    `floor 2 x ${SITES} x model x rounds + 1 model = ${(floorWithInit / 1e6).toFixed(2)} MB; ` +
    `ratio ${(onWire / floorWithInit).toFixed(4)} (per round ${(onWire / floorWithInit - 1) * 100 >= 0 ? "+" : ""}${((onWire / floorWithInit - 1) * 100).toFixed(2)}% over the floor)`,
);
if (process.env.SEGVIZ_BENCH_DEBUG) {
  for (const r of result.roundLog.records) console.log(JSON.stringify({ ...r, metrics: undefined }));
  console.log(wire);
}
