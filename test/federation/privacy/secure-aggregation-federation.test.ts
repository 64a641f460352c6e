// Secure aggregation over the network with real site processes: the coordinator's result equals
// plain FedAvg within the quantisation bound; a site killed after sharing its keys or after
// sending its masked update leaves a round that still completes with the right sum; everything
// the coordinator received (its transcript) holds keys, sealed shares and uniform-looking masked
// vectors, never an update; a site that lies about its shares is named and cannot bend the sum.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { startCoordinator } from "../../../src/federation/coordinator/coordinator.js";
import type { RoundRecord } from "../../../src/federation/coordinator/round-log.js";
import { type Logger, MemoryLogger } from "../../../src/federation/logging/json-logger.js";
import { quantisationLevels } from "../../../src/federation/privacy/secure-aggregation/config.js";
import { SecureAggregationParticipant } from "../../../src/federation/privacy/secure-aggregation/site-participant.js";
import { QUADRATIC_TRAINER_MODULE } from "../../../src/federation/simulation/messages.js";
import { runSite } from "../../../src/federation/site/site-client.js";
import { QuadraticTestTrainer } from "../../../src/federation/testing/quadratic-trainer.js";
import { decodeWeightSet, numericView, type WeightSet } from "../../../src/federation/weights/weight-set.js";
import { forkQuadraticSite, LOOPBACK, referenceFederation, tempDir, tokens } from "../helpers/federation.js";

const IDS = ["a", "b", "c", "d"];
const CLIP_RANGE = 4;
const BITS = 24;
// A big body tensor, so that the uniformity test has samples; BatchNorm-like and integer tensors too.
const LAYOUT = {
  "body.conv.weight": { dtype: "float32" as const, shape: [64, 512] },
  "body.conv.bias": { dtype: "float32" as const, shape: [64] },
  "body.norm.running_mean": { dtype: "float32" as const, shape: [64] },
  "body.norm.num_batches_tracked": { dtype: "int64" as const, shape: [] },
  "model.2.head.weight": { dtype: "float32" as const, shape: [2, 64] },
};
const initialModel = { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: 1, layout: LAYOUT } };

/** Calls `onEvent` for every coordinator log record (to kill a site at an exact stage). */
class HookLogger extends MemoryLogger implements Logger {
  constructor(private readonly onEvent: (event: string, fields: Record<string, unknown>) => void) {
    super();
  }
  override log(
    level: "debug" | "info" | "warn" | "error",
    event: string,
    fields: Record<string, unknown> = {},
  ) {
    super.log(level, event, fields);
    this.onEvent(event, fields);
  }
}

async function secureFederation(
  o: { transcriptDir?: string; killAfterStage?: string; liar?: string } = {},
): Promise<{ global: WeightSet; rounds: RoundRecord[]; logger: MemoryLogger }> {
  const children = new Map<string, ReturnType<typeof forkQuadraticSite>>();
  const logger = new HookLogger((event, fields) => {
    if (event === "secure-stage" && fields.stage === o.killAfterStage)
      children.get("c")?.child.kill("SIGKILL");
  });
  const handle = await startCoordinator(
    {
      host: LOOPBACK,
      port: 0,
      rounds: 1,
      strategy: { name: "fedavg" },
      sites: tokens(IDS),
      initialModel,
      minSitesToStart: 4,
      minSitesToClose: 3,
      maxRoundAttempts: 1,
      roundTimeoutMs: 60_000,
      secureAggregation: { threshold: 3, bits: BITS, clipRange: CLIP_RANGE, transcriptDir: o.transcriptDir },
    },
    logger,
  );
  IDS.forEach((id, k) => {
    if (id === o.liar) {
      // In process, with a participant that corrupts every share it returns for unmasking.
      const liar = new (class extends SecureAggregationParticipant {
        override unmask(session: string | undefined, survivors: string[]) {
          const out = super.unmask(session, survivors);
          for (const t of out.values()) (t.data as Uint8Array)[5] ^= 0x33;
          return out;
        }
      })(id);
      const trainer = new QuadraticTestTrainer({ siteSeed: k + 1, layout: LAYOUT });
      runSite(
        { siteId: id, coordinator: `${LOOPBACK}:${handle.port}`, token: `token-${id}` },
        trainer,
        new MemoryLogger(),
        liar,
      ).catch(() => {});
    } else children.set(id, forkQuadraticSite(handle.port, id, k, { layout: LAYOUT }));
  });
  try {
    const result = await handle.done;
    const rounds = result.roundLog.records.filter((r): r is RoundRecord => r.type === "round");
    return { global: result.global, rounds, logger };
  } finally {
    for (const c of children.values()) c.child.kill("SIGKILL");
    await Promise.all([...children.values()].map((c) => c.exit));
  }
}

function reference(ids: string[]): Promise<WeightSet> {
  return referenceFederation(
    { name: "fedavg" },
    1,
    ids.map((id) => ({
      id,
      trainer: new QuadraticTestTrainer({ siteSeed: IDS.indexOf(id) + 1, layout: LAYOUT }),
    })),
  );
}

/** Every value within one quantisation unit of plain FedAvg (plus float32 rounding of the result). */
function assertWithinBound(got: WeightSet, want: WeightSet) {
  const unit = CLIP_RANGE / quantisationLevels(BITS);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  let worst = 0;
  for (const [name, w] of want) {
    const a = numericView(got.get(name)!);
    const b = numericView(w);
    for (let i = 0; i < b.length; i++) {
      const err = Math.abs(a[i] - b[i]);
      const bound = unit + 2 ** -23 * Math.abs(b[i]);
      assert.ok(err <= bound, `${name}[${i}]: ${a[i]} vs ${b[i]}, error ${err} > bound ${bound}`);
      worst = Math.max(worst, err);
    }
  }
  return worst;
}

describe("secure aggregation over the network", { concurrency: false }, () => {
  const dir = tempDir("secagg");
  after(() => dir.remove());

  test("four site processes: the sum equals plain FedAvg within one quantisation unit, and the transcript holds no update", async () => {
    const transcriptDir = join(dir.path, "transcript");
    const run = await secureFederation({ transcriptDir });
    const [round] = run.rounds;
    assert.equal(round.status, "completed");
    assert.deepEqual(round.secureAggregation?.summed, IDS);
    assertWithinBound(run.global, await reference(IDS));
    // What the coordinator received from site a, stage by stage.
    const session = round.secureAggregation!.session;
    const read = (stage: string) =>
      decodeWeightSet(
        new Uint8Array(readFileSync(join(transcriptDir, session, `${stage}-a.safetensors`))),
        stage,
      );
    assert.deepEqual([...read("train").keys()].sort(), ["b-commitment", "c", "s"]);
    assert.deepEqual([...read("share-keys").keys()].sort(), ["to/b", "to/c", "to/d"]);
    assert.deepEqual([...read("unmask").keys()].sort(), ["seed/a", "seed/b", "seed/c", "seed/d"]);
    const masked = new Uint32Array((read("masked-input").get("masked")!.data as Int32Array).buffer);
    // Uniform on the ring: chi-square of the top 6 bits over 64 bins (63 dof; p = 0.001 at 103.4).
    const bins = new Array(64).fill(0);
    for (const x of masked) bins[x >>> 26]++;
    const e = masked.length / 64;
    const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
    assert.ok(chi2 < 103.4, `chi-square ${chi2} over ${masked.length} values`);
    // Uncorrelated with site a's own update (its change of body.conv.weight).
    const initial = await new QuadraticTestTrainer({ siteSeed: 1, layout: LAYOUT }).initialWeights();
    const trained = await new QuadraticTestTrainer({ siteSeed: 1, layout: LAYOUT }).train(initial, {
      round: 1,
      localEpochs: 1,
      proximalMu: 0,
      globalWeights: initial,
      options: {},
    });
    const w0 = initial.get("body.conv.weight")!.data as Float32Array;
    const w1 = trained.weights.get("body.conv.weight")!.data as Float32Array;
    const n = w0.length;
    const x = Array.from({ length: n }, (_, i) => w1[i] - w0[i]);
    // The layout is sorted by name: body.conv.bias (64 values) comes first.
    const y = Array.from({ length: n }, (_, i) => masked[64 + i] | 0);
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
      syy += (y[i] - my) ** 2;
    }
    const corr = sxy / Math.sqrt(sxx * syy);
    assert.ok(Math.abs(corr) < 4 / Math.sqrt(n), `correlation of masked upload and update: ${corr}`);
  });

  test("a site killed after sharing its keys: its masks are rebuilt and the round sums the other three", async () => {
    const run = await secureFederation({ killAfterStage: "share-keys" });
    const [round] = run.rounds;
    assert.equal(round.status, "completed");
    assert.deepEqual(round.secureAggregation?.summed, ["a", "b", "d"]);
    assert.deepEqual(round.secureAggregation?.dropped, ["c"]);
    assert.equal(round.secureAggregation?.rebuiltKeys, 1);
    assertWithinBound(run.global, await reference(["a", "b", "d"]));
  });

  test("a site killed after sending its masked update: its update counts, its self-mask is rebuilt from the others' shares", async () => {
    const run = await secureFederation({ killAfterStage: "masked-input" });
    const [round] = run.rounds;
    assert.equal(round.status, "completed");
    assert.deepEqual(round.secureAggregation?.summed, IDS);
    assertWithinBound(run.global, await reference(IDS));
  });

  test("a site that lies about its shares is named, and the sum is still exact", async () => {
    const run = await secureFederation({ liar: "b" });
    const [round] = run.rounds;
    assert.equal(round.status, "completed");
    assert.deepEqual(round.secureAggregation?.badShares, ["b"]);
    assert.ok(run.logger.records.some((r) => r.event === "secure-bad-share" && r.fields.site === "b"));
    assertWithinBound(run.global, await reference(IDS));
  });
});
