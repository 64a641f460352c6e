// Round overhead of the federation for a SegViz-sized model: a 4,808,917-parameter float32 weight
// set (~19 MB), FedAvg sharing everything, sites and coordinator on loopback.
//
// 1. Four site processes, plain, with secure aggregation (threshold 3, 24 bits) and with float16
//    on the wire (transfer.dtype), side by side:
//    the time from the last site's upload to the new global weights having arrived at every site;
//    the whole round less the slowest site's training; the bytes on the wire, counted by a TCP
//    proxy in front of the coordinator in separate runs (the proxy's copying would slow the
//    timed ones), against the floor of 2 x sites x model.
// 2. 4, 16, 32 and 64 light sites (8 to a process) against a coordinator process of its own:
//    the coordinator's peak resident memory (it folds each update into a running mean as it
//    arrives and takes 4 uploads at a time, so memory should not grow with sites) and the round
//    overhead against the bytes moved.
//
// The four-site runs take 8 timed rounds (the first one pays for cold code and memory, so it is
// shown apart); the runs at scale take `rounds`.
//
//   node dist/bench/federation-round.js [rounds=4] [site counts=4,16,32,64]

import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCoordinator } from "../src/federation/coordinator/coordinator.js";
import type { RoundRecord, SiteRoundRecord } from "../src/federation/coordinator/round-log.js";
import { silentLogger } from "../src/federation/logging/json-logger.js";
import { QUADRATIC_TRAINER_MODULE } from "../src/federation/simulation/messages.js";
import { forkCoordinator, forkSite } from "../src/federation/simulation/processes.js";

const PARAMETERS = 4_808_917;
const SITES = 4;
const SITES_PER_PROCESS = 8;
const rounds = Number(process.argv[2] ?? 4);
const FOUR_SITE_ROUNDS = 8;
const siteCounts = (process.argv[3] ?? "4,16,32,64").split(",").map(Number);

// A UNet-like layout with exactly PARAMETERS float32 values.
const layout: Record<string, { dtype: "float32"; shape: number[] }> = {};
let left = PARAMETERS;
for (let i = 0; left > 0; i++) {
  const n = Math.min(left, 262_144);
  layout[`model.${i % 2}.submodule.${i}.conv.unit0.conv.weight`] = { dtype: "float32", shape: [n] };
  left -= n;
}
const modelBytes = PARAMETERS * 4;
const initialModel = { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: 1, layout } };

interface Timings {
  /** Last upload (masked update, when secure) to new weights at every site, per round. */
  overheads: number[];
  /** Round duration less the slowest site's training, per round. */
  beyondTraining: number[];
  stageMs: Record<string, number[]>;
}

/** When each round's TRAIN task had reached the last site, from the sites' logs. */
function trainReceived(logFiles: string[]): Map<number, number> {
  const received = new Map<number, number>();
  for (const file of logFiles) {
    for (const line of readFileSync(file, "utf8").trim().split("\n")) {
      const e = JSON.parse(line);
      if (e.event === "task-received" && e.kind === "TRAIN")
        received.set(e.round, Math.max(received.get(e.round) ?? 0, e.receivedAt));
    }
  }
  return received;
}

function timings(records: (RoundRecord | SiteRoundRecord)[], received: Map<number, number>): Timings {
  const completed = records.filter((r): r is RoundRecord => r.type === "round" && r.status === "completed");
  const siteRounds = records.filter((r): r is SiteRoundRecord => r.type === "site-round");
  const out: Timings = { overheads: [], beyondTraining: [], stageMs: {} };
  for (const r of completed) {
    const training = Math.max(...siteRounds.filter((s) => s.round === r.round).map((s) => s.trainMs ?? 0));
    out.beyondTraining.push(r.durationMs - training);
    for (const [k, v] of Object.entries(r.secureAggregation?.stageMs ?? {})) (out.stageMs[k] ??= []).push(v);
    const next = received.get(r.round + 1);
    if (next !== undefined && r.lastUploadAt !== undefined) out.overheads.push(next - r.lastUploadAt);
  }
  return out;
}

/** Four site processes against an in-process coordinator; with `proxy`, the wire's bytes per round. */
async function fourSites(
  secure: boolean,
  proxy: boolean,
  n = rounds,
  transfer?: "float16",
): Promise<Timings & { bytesPerRound: number }> {
  const dir = mkdtempSync(join(tmpdir(), "segviz-bench-"));
  const wire = { toCoordinator: 0, fromCoordinator: 0 };
  const handle = await startCoordinator(
    {
      host: "127.0.0.1",
      port: 0,
      rounds: n,
      strategy: { name: "fedavg" },
      sites: Array.from({ length: SITES }, (_, k) => ({ id: `site-${k}`, token: `t${k}` })),
      initialModel,
      minSitesToStart: SITES,
      ...(secure && { secureAggregation: { threshold: 3 } }),
      ...(transfer && { transfer: { dtype: transfer } }),
    },
    silentLogger,
  );
  // Everything the sites send and receive passes through this proxy, so its counts are the
  // bytes on the wire (HTTP/2 and gRPC framing included; no TLS).
  const server = createServer((client) => {
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
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = proxy ? (server.address() as { port: number }).port : handle.port;
  const logFiles = Array.from({ length: SITES }, (_, k) => join(dir, `site-${k}.jsonl`));
  const sites = logFiles.map((logFile, k) =>
    forkSite(
      { siteId: `site-${k}`, coordinator: `127.0.0.1:${port}`, token: `t${k}`, logFile },
      { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: k + 1, layout, stepsPerEpoch: 1 } },
      { threads: 1 },
    ),
  );
  const result = await handle.done;
  await Promise.all(sites.map((s) => s.exit));
  server.close();
  const received = trainReceived(logFiles);
  rmSync(dir, { recursive: true, force: true });
  const bytesPerRound = (wire.toCoordinator + wire.fromCoordinator) / n;
  return { ...timings(result.roundLog.records, received), bytesPerRound };
}

interface Scaled extends Timings {
  sites: number;
  bytesPerRound: number;
  peakRss: number;
}

/** `count` light sites against a coordinator process: its peak memory and the round overhead. */
async function lightSites(count: number): Promise<Scaled> {
  const dir = mkdtempSync(join(tmpdir(), "segviz-bench-scale-"));
  const ids = Array.from({ length: count }, (_, k) => `site-${String(k).padStart(2, "0")}`);
  const roundLogFile = join(dir, "rounds.jsonl");
  const coordinator = forkCoordinator({
    host: "127.0.0.1",
    port: 0,
    rounds,
    strategy: { name: "fedavg" },
    sites: ids.map((id) => ({ id, token: `token-${id}` })),
    initialModel,
    minSitesToStart: count,
    maxUnauthenticatedConnections: count + 8,
    roundLogFile,
    logFile: join(dir, "coordinator.jsonl"),
  });
  const { port } = await coordinator.listening;
  const logDir = join(dir, "sites");
  mkdirSync(logDir);
  const children = [];
  for (let at = 0; at < count; at += SITES_PER_PROCESS) {
    const spec = { address: `127.0.0.1:${port}`, ids: ids.slice(at, at + SITES_PER_PROCESS), logDir, layout };
    const child = fork(new URL("./light-sites.js", import.meta.url), [JSON.stringify(spec)], {
      env: { ...process.env, OMP_NUM_THREADS: "1", SEGVIZ_THREADS: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(new Promise((resolve) => child.once("close", resolve)));
  }
  const finished = await coordinator.finished;
  await Promise.all(children);
  if (finished?.type !== "done")
    throw new Error(`coordinator with ${count} sites: ${JSON.stringify(finished)}`);
  const records = readFileSync(roundLogFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const received = trainReceived(readdirSync(logDir).map((f) => join(logDir, f)));
  rmSync(dir, { recursive: true, force: true });
  const completed = records.filter((r) => r.type === "round" && r.status === "completed") as RoundRecord[];
  const bytesPerRound = completed.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0) / completed.length;
  return { sites: count, ...timings(records, received), bytesPerRound, peakRss: finished.maxRssBytes ?? 0 };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const ms = (v: number) => `${v.toFixed(0)} ms`;
const mb = (v: number) => `${(v / 1e6).toFixed(2)} MB`;

const plain = await fourSites(false, false, FOUR_SITE_ROUNDS);
const secure = await fourSites(true, false, FOUR_SITE_ROUNDS);
const half = await fourSites(false, false, FOUR_SITE_ROUNDS, "float16");
const plainWire = await fourSites(false, true, 2);
const secureWire = await fourSites(true, true, 2);
const halfWire = await fourSites(false, true, 2, "float16");
console.log(
  `federation round benchmark: ${SITES} sites, ${PARAMETERS} float32 parameters (${(modelBytes / 1e6).toFixed(2)} MB), loopback, ${FOUR_SITE_ROUNDS} rounds`,
);
const row = (name: string, cells: string[]) =>
  console.log(`${name.padEnd(44)}${cells.map((c) => c.padStart(12)).join("")}`);
row("", ["plain", "secure", "ratio", "float16", "ratio"]);
for (const [name, key] of [
  ["last upload -> new weights at every site", "overheads"],
  ["round less the slowest site's training", "beyondTraining"],
] as const) {
  const [p, s, h] = [plain, secure, half].map((m) => mean(m[key]));
  row(name, [ms(p), ms(s), (s / p).toFixed(2), ms(h), (h / p).toFixed(2)]);
  if (key !== "overheads") continue;
  for (const [part, pick] of [
    ["  after the first round", (v: number[]) => v.slice(0, 1)],
    ["  after later rounds", (v: number[]) => v.slice(1)],
  ] as const) {
    const [p1, s1, h1] = [plain, secure, half].map((m) => mean(pick(m[key])));
    row(part, [ms(p1), ms(s1), (s1 / p1).toFixed(2), ms(h1), (h1 / p1).toFixed(2)]);
  }
}
const [pw, sw, hw] = [plainWire, secureWire, halfWire].map((m) => m.bytesPerRound);
row("bytes on the wire per round", [mb(pw), mb(sw), (sw / pw).toFixed(3), mb(hw), (hw / pw).toFixed(3)]);
row("floor: 2 x sites x model (float32)", [mb(2 * SITES * modelBytes), mb(2 * SITES * modelBytes)]);
for (const [stage, v] of Object.entries(secure.stageMs)) row(`  secure stage ${stage}`, ["", ms(mean(v))]);

console.log(
  `\nsites at scale: light sites, ${SITES_PER_PROCESS} to a process; a coordinator process of its own; ${rounds} rounds`,
);
const scaled: Scaled[] = [];
for (const count of siteCounts) scaled.push(await lightSites(count));
const base = scaled[0];
const cols = [
  "sites",
  "MB/round",
  "last upload->new",
  "round-training",
  "ms per MB",
  "coord. peak RSS",
  "x first",
];
console.log(cols.map((c, i) => (i === 0 ? c.padStart(5) : c.padStart(17))).join(""));
for (const s of scaled) {
  const beyond = mean(s.beyondTraining);
  console.log(
    [
      String(s.sites).padStart(5),
      (s.bytesPerRound / 1e6).toFixed(0).padStart(17),
      ms(mean(s.overheads)).padStart(17),
      ms(beyond).padStart(17),
      (beyond / (s.bytesPerRound / 1e6)).toFixed(2).padStart(17),
      `${(s.peakRss / 2 ** 20).toFixed(0)} MiB`.padStart(17),
      (s.peakRss / base.peakRss).toFixed(2).padStart(17),
    ].join(""),
  );
}
if (process.env.SEGVIZ_BENCH_DEBUG) console.log(JSON.stringify({ plain, secure, scaled }));
