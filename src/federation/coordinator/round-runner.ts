// One attempt at one round: send the global weights to every connected site, wait for their
// results until all returned or the round times out, validate each update, and aggregate the
// accepted ones if there are enough. A site that fails, disconnects, times out or sends a bad
// update is left out with a logged reason; the global weights are replaced only by a complete
// aggregation.

import type { SpareBuffer } from "../../util/spare-buffer.js";
import type { Logger } from "../logging/json-logger.js";
import { noisedMean } from "../privacy/differential-privacy/central-noise.js";
import { GaussianSource } from "../privacy/differential-privacy/gaussian-noise.js";
import type { PrivacyBudget, PrivacyRecord } from "../privacy/differential-privacy/privacy-budget.js";
import { TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { type OutgoingPayload, preparePayload } from "../protocol/payload.js";
import { RelativeNormScreen } from "../security/relative-norm-screen.js";
import { relativeNormOutliers, validateUpdate } from "../security/update-validation.js";
import type { RunningMean } from "../strategies/running-mean.js";
import type { Aggregation, SiteUpdate, Strategy } from "../strategies/strategy.js";
import { decodeWeightSet, encodeWeightSet, type WeightSet } from "../weights/weight-set.js";
import { deltaFromWire, fromWire, toWire, WIRE_DTYPE_OPTION, type WireDtype } from "../weights/wire-dtype.js";
import type { RoundRecord, SiteRoundRecord } from "./round-log.js";
import type { SiteConnection, TaskReply } from "./site-connection.js";
import { UploadGate } from "./upload-gate.js";

export interface RoundSettings {
  runId: string;
  round: number;
  attempt: number;
  roundTimeoutMs: number;
  minSitesToClose: number;
  maxUpdateNorm?: number;
  /** Reject an update above this many times the round's median update norm (3+ updates; 0: off). */
  relativeUpdateNormBound?: number;
  chunkBytes?: number;
  /** Differential privacy with central noise: the clipping norm every update must respect. */
  dpClipNorm?: number;
  /** Sites uploading their updates at once, at most (default 4). */
  concurrentUploads?: number;
  /** The shared float32 tensors' dtype on the wire (compressed updates; default float32). */
  transferDtype?: WireDtype;
  /** Made ready while the sites train, for the next round's weights (see SpareBuffer). */
  nextPayload?: SpareBuffer;
}

export const DEFAULT_CONCURRENT_UPLOADS = 4;

export interface RoundOutcome {
  completed: boolean;
  global: WeightSet;
  round: RoundRecord;
  sites: SiteRoundRecord[];
  /** Time the last accepted upload finished arriving (ms, performance clock + origin). */
  lastUploadAt?: number;
}

export type Settled = {
  site: SiteConnection;
  reply?: TaskReply;
  error?: string;
  timedOut?: boolean;
  startedAt: number;
};

type TaskOf = Parameters<SiteConnection["runTask"]>[0];

export interface DispatchOptions {
  timeoutMs: number;
  /**
   * Sees each site's outcome as soon as it is known (to decode and check it while the other
   * sites are still uploading).
   */
  onSettled?: (settled: Settled) => void;
  /** Called once every site's task has been sent (or has failed to send): the sites are at work. */
  onAllSent?: () => void;
  /** Sites upload their results' weights when this gate grants it. */
  uploads?: UploadGate;
}

/** Sends one task to each site and settles every one: result, failure or timeout. */
export async function dispatch(
  sites: SiteConnection[],
  makeTask: (site: SiteConnection) => TaskOf,
  payloadBytes: Uint8Array | undefined,
  payloadId: string,
  chunkBytes: number | undefined,
  o: DispatchOptions,
): Promise<Settled[]> {
  const payload =
    payloadBytes === undefined ? undefined : preparePayload(payloadBytes, payloadId, chunkBytes);
  return dispatchEach(sites, makeTask, () => payload, o);
}

/** dispatch with a payload of its own for each site, and optionally a reply bound of its own. */
export async function dispatchEach(
  sites: SiteConnection[],
  makeTask: (site: SiteConnection) => TaskOf,
  payloadFor: (site: SiteConnection) => OutgoingPayload | undefined,
  o: DispatchOptions & { maxReplyBytes?: number },
): Promise<Settled[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), o.timeoutMs);
  });
  let unsent = sites.length;
  const sent = () => {
    if (--unsent === 0) o.onAllSent?.();
  };
  if (unsent === 0) o.onAllSent?.();
  const settled = await Promise.all(
    sites.map(async (site): Promise<Settled> => {
      const startedAt = Date.now();
      const task = makeTask(site);
      const reply = site.runTask(task, payloadFor(site), o.maxReplyBytes, o.uploads, sent).then(
        (r) => ({ reply: r }),
        (e: Error) => ({ error: e.message }),
      );
      const first = await Promise.race([reply, deadline]);
      let settled: Settled;
      if (first === "timeout") {
        site.abandon(task.taskId);
        settled = { site, timedOut: true, error: `no result within ${o.timeoutMs} ms`, startedAt };
      } else settled = { site, ...first, startedAt };
      o.onSettled?.(settled);
      return settled;
    }),
  );
  clearTimeout(timer);
  return settled;
}

type Inspected =
  | { ok: false; status: SiteRoundRecord["status"]; reason: string; durationMs: number }
  | { ok: true; weights?: WeightSet; updateNorm: number; durationMs: number };

/** Decodes and validates one site's reply against the round's global weights. */
function inspectReply(
  s: Settled,
  /** What the sites received: the global weights, rounded to the wire dtype when compressed. */
  global: WeightSet,
  wire: WireDtype,
  strategy: Strategy,
  settings: RoundSettings,
  screened: boolean,
): Inspected {
  const durationMs = Date.now() - s.startedAt;
  const reject = (status: SiteRoundRecord["status"], reason: string): Inspected => ({
    ok: false,
    status,
    reason,
    durationMs,
  });
  if (s.reply === undefined) return reject(s.timedOut ? "timed-out" : "failed", s.error ?? "unknown failure");
  const { result, payload, payloadError } = s.reply;
  if (!result.ok) return reject("failed", `site reported: ${result.error}`);
  if (payloadError !== undefined || payload === undefined)
    return reject("rejected", payloadError ?? "result carried no weights");
  let weights: WeightSet;
  try {
    // Views: the payload is this update's alone, and is let go with it.
    const source = `site ${s.site.siteId} round ${settings.round}`;
    weights = decodeWeightSet(payload, source, true);
    // A compressed update carries changes from what the site received: add them back.
    if (wire !== "float32") weights = deltaFromWire(weights, global, wire, source);
  } catch (e) {
    return reject("rejected", (e as Error).message);
  }
  const check = validateUpdate(weights, global, strategy.sharing, { maxUpdateNorm: settings.maxUpdateNorm });
  if (!check.ok) return reject("rejected", check.reason);
  // DP-FedAvg's guarantee rests on every summed update being within the clipping norm.
  if (settings.dpClipNorm !== undefined && check.updateNorm > settings.dpClipNorm)
    return reject(
      "rejected",
      `update norm ${check.updateNorm} exceeds the differential-privacy clipping norm ${settings.dpClipNorm}`,
    );
  const announced = s.reply.result.updateNorm;
  if (screened && !(announced !== undefined && Math.abs(check.updateNorm - announced) <= 1e-6 * announced))
    return reject(
      "rejected",
      `update norm ${check.updateNorm.toPrecision(8)} differs from the ${announced?.toPrecision(8)} announced with the result`,
    );
  return { ok: true, weights, updateNorm: check.updateNorm, durationMs };
}

/** The accepted updates and one record per site, in site order; rejections are logged. */
interface CollectedResults {
  records: SiteRoundRecord[];
  /** The accepted updates that were kept whole (none when they were folded in as they came). */
  updates: SiteUpdate[];
  accepted: number;
  lastUploadAt?: number;
  /** Each reported metric's mean over the accepted sites. */
  metrics: Record<string, number>;
}

function collectResults(
  settled: Settled[],
  inspected: ReadonlyMap<SiteConnection, Inspected>,
  settings: RoundSettings,
  payloadBytes: number,
  log: Logger,
  streamed: boolean,
): CollectedResults {
  const { round, attempt } = settings;
  const out: CollectedResults = { records: [], updates: [], accepted: 0, metrics: {} };
  const valid = [...inspected].filter(([, o]) => o.ok) as [SiteConnection, { updateNorm: number }][];
  // Folded updates were screened on their announced norms before they came (upload-gate.ts).
  const outliers = relativeNormOutliers(
    valid.map(([, o]) => o.updateNorm),
    streamed ? 0 : (settings.relativeUpdateNormBound ?? 0),
  );
  const scaled = new Map(
    valid.flatMap(([site], i) => (outliers[i] === undefined ? [] : [[site, outliers[i]!]])),
  );
  for (const s of [...settled].sort((a, b) => (a.site.siteId < b.site.siteId ? -1 : 1))) {
    const checked = inspected.get(s.site)!;
    const tooLarge = scaled.get(s.site);
    const outcome: Inspected =
      tooLarge === undefined
        ? checked
        : { ok: false, status: "rejected", reason: tooLarge, durationMs: checked.durationMs };
    const base = {
      type: "site-round" as const,
      round,
      attempt,
      site: s.site.siteId,
      bytesIn: s.reply?.bytesIn ?? 0,
      bytesOut: s.reply?.bytesOut ?? payloadBytes,
      durationMs: outcome.durationMs,
    };
    if (!outcome.ok) {
      out.records.push({ ...base, status: outcome.status, reason: outcome.reason });
      log.log("warn", "update-rejected", {
        round,
        attempt,
        site: s.site.siteId,
        status: outcome.status,
        reason: outcome.reason,
      });
      continue;
    }
    const reply = s.reply!;
    const numExamples = Number(reply.result.numExamples);
    out.accepted++;
    if (outcome.weights !== undefined)
      out.updates.push({ siteId: s.site.siteId, numExamples, weights: outcome.weights });
    out.lastUploadAt = Math.max(out.lastUploadAt ?? 0, reply.receivedAt);
    out.records.push({
      ...base,
      status: "accepted",
      numExamples,
      metrics: { ...reply.result.metrics },
      trainMs: reply.result.durationMs,
      updateNorm: outcome.updateNorm,
    });
  }
  out.metrics = meanMetrics(out.records);
  return out;
}

export async function runTrainingRound(
  settings: RoundSettings,
  global: WeightSet,
  strategy: Strategy,
  sites: SiteConnection[],
  log: Logger,
  budget?: PrivacyBudget,
): Promise<RoundOutcome> {
  const { round, attempt } = settings;
  const started = Date.now();
  const plan = strategy.configureRound(round);
  if (budget !== undefined) plan.options = { ...plan.options, "dp.clipNorm": String(budget.clipNorm) };
  const wire = settings.transferDtype ?? "float32";
  if (wire !== "float32") plan.options = { ...plan.options, [WIRE_DTYPE_OPTION]: wire };
  const sent = toWire(global, wire);
  // The sites start from the rounded weights; their updates are checked and rebuilt against them.
  const received = fromWire(sent, wire, global);
  const spare = settings.nextPayload;
  const bytes = encodeWeightSet(sent, { round: String(round) }, spare?.take);
  // Strategies that need only the mean get each update folded in the moment it is accepted and
  // its bytes let go: the coordinator holds one model's sum, not one model per site.
  const running = strategy.usesEachUpdate ? undefined : strategy.startMean?.(global);
  const bound = settings.relativeUpdateNormBound ?? 0;
  const screen =
    running !== undefined && bound > 0
      ? new RelativeNormScreen(
          bound,
          sites.map((s) => s.siteId),
        )
      : undefined;
  const uploads = new UploadGate(settings.concurrentUploads ?? DEFAULT_CONCURRENT_UPLOADS, screen);
  // Each reply is decoded, validated (and folded) the moment it arrives, while the others still
  // upload; after the last upload only that one's checks and the mean's division remain.
  const inspected = new Map<SiteConnection, Inspected>();
  const onSettled = (s: Settled) => {
    uploads.absent(s.site.siteId);
    const outcome = inspectReply(s, received, wire, strategy, settings, screen !== undefined);
    // The round keeps every settled reply to its end: the bytes must not stay with them.
    if (s.reply !== undefined) s.reply.payload = undefined;
    if (outcome.ok && running !== undefined) {
      try {
        running.add(outcome.weights!, Number(s.reply!.result.numExamples));
        outcome.weights = undefined;
      } catch (e) {
        inspected.set(s.site, {
          ok: false,
          status: "rejected",
          reason: (e as Error).message,
          durationMs: outcome.durationMs,
        });
        return;
      }
    }
    inspected.set(s.site, outcome);
  };
  const settled = await dispatch(
    sites,
    (site) => ({
      taskId: `${settings.runId}-r${round}-a${attempt}-${site.siteId}`,
      round,
      kind: TaskKind.TRAIN,
      localEpochs: plan.localEpochs,
      proximalMu: plan.proximalMu,
      options: plan.options,
    }),
    bytes,
    `${settings.runId}-global-r${round}-a${attempt}`,
    settings.chunkBytes,
    {
      timeoutMs: settings.roundTimeoutMs,
      onSettled,
      uploads,
      // The coordinator idles while the sites train: fault in the memory that the uploads and
      // the next round's weights will need, rather than after the last upload.
      onAllSent: () => {
        running?.reserve();
        spare?.prepare(bytes.length);
      },
    },
  );
  const results = collectResults(settled, inspected, settings, bytes.length, log, running !== undefined);
  const record = attemptRecord(settings, strategy, sites, global, results.records, results.metrics);
  record.aggregation = running === undefined ? "per-site" : "streaming";
  if (results.accepted < settings.minSitesToClose)
    return retryOutcome(record, global, results.records, started);
  const t0 = performance.now();
  let aggregation: Aggregation;
  try {
    aggregation = aggregate(round, global, strategy, results, running, budget, record);
  } catch (e) {
    // E.g. cases weighting over sites that all report 0 examples: the attempt cannot close.
    log.log("warn", "aggregation-failed", { round, attempt, reason: (e as Error).message });
    return retryOutcome(record, global, results.records, started);
  }
  record.aggregationMs = performance.now() - t0;
  return completedOutcome(record, aggregation, results.records, started, results.lastUploadAt);
}

/** The new global weights from the accepted updates: their running mean, or each of them. */
function aggregate(
  round: number,
  global: WeightSet,
  strategy: Strategy,
  results: CollectedResults,
  running: RunningMean | undefined,
  budget: PrivacyBudget | undefined,
  record: RoundRecord,
): Aggregation {
  if (running === undefined) return strategy.aggregate(round, global, results.updates);
  const mean = running.mean();
  if (budget === undefined) return strategy.fromMean!(round, global, mean);
  const noised = privateMean(mean, results, budget, round);
  record.privacy = noised.privacy;
  return strategy.fromMean!(round, global, noised.mean);
}

/** An attempt's round record before it is known to complete, from its site records. */
export function attemptRecord(
  settings: RoundSettings,
  strategy: Strategy,
  sites: SiteConnection[],
  global: WeightSet,
  siteRecords: SiteRoundRecord[],
  metrics: Record<string, number>,
): RoundRecord {
  return {
    type: "round",
    round: settings.round,
    attempt: settings.attempt,
    status: "retry",
    strategy: strategy.name,
    participants: sites.map((s) => s.siteId),
    accepted: siteRecords.filter((r) => r.status === "accepted").map((r) => r.site),
    aggregated: 0,
    unchanged: global.size,
    bytesIn: siteRecords.reduce((s, r) => s + r.bytesIn, 0),
    bytesOut: siteRecords.reduce((s, r) => s + r.bytesOut, 0),
    durationMs: 0,
    metrics,
  };
}

export function retryOutcome(
  record: RoundRecord,
  global: WeightSet,
  sites: SiteRoundRecord[],
  started: number,
): RoundOutcome {
  record.durationMs = Date.now() - started;
  return { completed: false, global, round: record, sites };
}

/** The record of a completed attempt (aggregationMs already set) and its new global weights. */
export function completedOutcome(
  record: RoundRecord,
  aggregation: Aggregation,
  sites: SiteRoundRecord[],
  started: number,
  lastUploadAt: number | undefined,
): RoundOutcome {
  record.status = "completed";
  record.aggregated = aggregation.aggregated.length;
  record.unchanged = aggregation.unchanged.length;
  record.durationMs = Date.now() - started;
  if (lastUploadAt !== undefined) {
    record.lastUploadAt = lastUploadAt;
    record.closeMs = performance.timeOrigin + performance.now() - lastUploadAt;
  }
  return { completed: true, global: aggregation.weights, round: record, sites, lastUploadAt };
}

/** Each metric's mean over the accepted sites' records. */
export function meanMetrics(sites: SiteRoundRecord[]): Record<string, number> {
  const sums: Record<string, { sum: number; n: number }> = {};
  for (const r of sites) {
    if (r.status !== "accepted") continue;
    for (const [k, v] of Object.entries(r.metrics ?? {})) {
      const m = (sums[k] ??= { sum: 0, n: 0 });
      m.sum += v;
      m.n++;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, m]) => [k, m.sum / m.n]));
}

/**
 * DP-FedAvg with central noise: the mean of the clipped updates with Gaussian noise on their sum,
 * and, with adaptive clipping, the noised count of sites that needed no clipping.
 */
function privateMean(
  plainMean: WeightSet,
  results: CollectedResults,
  budget: PrivacyBudget,
  round: number,
): { mean: WeightSet; privacy: PrivacyRecord } {
  const noiseStd = budget.updateNoiseStd();
  const mean = noisedMean(plainMean, results.accepted, noiseStd);
  const adaptive = budget.settings.adaptive;
  let noisyUnclippedCount: number | undefined;
  if (adaptive !== undefined) {
    const unclipped = results.records.filter(
      (r) => r.status === "accepted" && r.metrics?.dpUnclipped === 1,
    ).length;
    noisyUnclippedCount = unclipped + adaptive.countNoiseStd * new GaussianSource().standard();
  }
  const privacy = budget.release({
    round,
    contributors: results.accepted,
    updateNoiseStd: noiseStd,
    countNoiseStd: adaptive?.countNoiseStd,
    noisyUnclippedCount,
  });
  return { mean, privacy };
}
