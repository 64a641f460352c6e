// One attempt at one round: send the global weights to every connected site, wait for their
// results until all returned or the round times out, validate each update, and aggregate the
// accepted ones if there are enough. A site that fails, disconnects, times out or sends a bad
// update is left out with a logged reason; the global weights are replaced only by a complete
// aggregation.

import type { Logger } from "../logging/json-logger.js";
import { TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { preparePayload } from "../protocol/payload.js";
import { validateUpdate } from "../security/update-validation.js";
import type { SiteUpdate, Strategy } from "../strategies/strategy.js";
import { decodeWeightSet, encodeWeightSet, type WeightSet } from "../weights/weight-set.js";
import type { RoundRecord, SiteRoundRecord } from "./round-log.js";
import type { SiteConnection, TaskReply } from "./site-connection.js";

export interface RoundSettings {
  runId: string;
  round: number;
  attempt: number;
  roundTimeoutMs: number;
  minSitesToClose: number;
  maxUpdateNorm?: number;
  chunkBytes?: number;
}

export interface RoundOutcome {
  completed: boolean;
  global: WeightSet;
  round: RoundRecord;
  sites: SiteRoundRecord[];
  /** Time the last accepted upload finished arriving (ms, performance clock + origin). */
  lastUploadAt?: number;
}

type Settled = {
  site: SiteConnection;
  reply?: TaskReply;
  error?: string;
  timedOut?: boolean;
  startedAt: number;
};

/**
 * Sends one task to each site and settles every one: result, failure or timeout. `onSettled`
 * sees each site's outcome as soon as it is known (to decode and check it while the other
 * sites are still uploading).
 */
export async function dispatch(
  sites: SiteConnection[],
  makeTask: (site: SiteConnection) => Parameters<SiteConnection["runTask"]>[0],
  payloadBytes: Uint8Array | undefined,
  payloadId: string,
  timeoutMs: number,
  chunkBytes?: number,
  onSettled?: (settled: Settled) => void,
): Promise<Settled[]> {
  const payload =
    payloadBytes === undefined ? undefined : preparePayload(payloadBytes, payloadId, chunkBytes);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const settled = await Promise.all(
    sites.map(async (site): Promise<Settled> => {
      const startedAt = Date.now();
      const task = makeTask(site);
      const reply = site.runTask(task, payload).then(
        (r) => ({ reply: r }),
        (e: Error) => ({ error: e.message }),
      );
      const first = await Promise.race([reply, deadline]);
      let settled: Settled;
      if (first === "timeout") {
        site.abandon(task.taskId);
        settled = { site, timedOut: true, error: `no result within ${timeoutMs} ms`, startedAt };
      } else settled = { site, ...first, startedAt };
      onSettled?.(settled);
      return settled;
    }),
  );
  clearTimeout(timer);
  return settled;
}

type Inspected =
  | { ok: false; status: SiteRoundRecord["status"]; reason: string; durationMs: number }
  | { ok: true; weights: WeightSet; updateNorm: number; durationMs: number };

export async function runTrainingRound(
  settings: RoundSettings,
  global: WeightSet,
  strategy: Strategy,
  sites: SiteConnection[],
  log: Logger,
): Promise<RoundOutcome> {
  const { round, attempt } = settings;
  const started = Date.now();
  const plan = strategy.configureRound(round);
  const bytes = encodeWeightSet(global, { round: String(round) });
  // Each reply is decoded and validated the moment it arrives, while the others still upload;
  // after the last upload only that one's checks and the aggregation remain.
  const inspected = new Map<SiteConnection, Inspected>();
  const inspect = (s: Settled): Inspected => {
    const durationMs = Date.now() - s.startedAt;
    const reject = (status: SiteRoundRecord["status"], reason: string): Inspected => ({
      ok: false,
      status,
      reason,
      durationMs,
    });
    if (s.reply === undefined)
      return reject(s.timedOut ? "timed-out" : "failed", s.error ?? "unknown failure");
    const { result, payload, payloadError } = s.reply;
    if (!result.ok) return reject("failed", `site reported: ${result.error}`);
    if (payloadError !== undefined || payload === undefined)
      return reject("rejected", payloadError ?? "result carried no weights");
    let weights: WeightSet;
    try {
      weights = decodeWeightSet(payload, `site ${s.site.siteId} round ${round}`);
    } catch (e) {
      return reject("rejected", (e as Error).message);
    }
    const check = validateUpdate(weights, global, strategy.sharing, {
      maxUpdateNorm: settings.maxUpdateNorm,
    });
    if (!check.ok) return reject("rejected", check.reason);
    return { ok: true, weights, updateNorm: check.updateNorm, durationMs };
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
    settings.roundTimeoutMs,
    settings.chunkBytes,
    (s) => inspected.set(s.site, inspect(s)),
  );

  const records: SiteRoundRecord[] = [];
  const updates: SiteUpdate[] = [];
  let lastUploadAt: number | undefined;
  const metricSums: Record<string, { sum: number; n: number }> = {};
  for (const s of settled.sort((a, b) => (a.site.siteId < b.site.siteId ? -1 : 1))) {
    const outcome = inspected.get(s.site) ?? inspect(s);
    const base = {
      type: "site-round" as const,
      round,
      attempt,
      site: s.site.siteId,
      bytesIn: s.reply?.bytesIn ?? 0,
      bytesOut: s.reply?.bytesOut ?? bytes.length,
      durationMs: outcome.durationMs,
    };
    if (!outcome.ok) {
      records.push({ ...base, status: outcome.status, reason: outcome.reason });
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
    const result = reply.result;
    const weights = outcome.weights;
    const numExamples = Number(result.numExamples);
    updates.push({ siteId: s.site.siteId, numExamples, weights });
    lastUploadAt = Math.max(lastUploadAt ?? 0, reply.receivedAt);
    for (const [k, v] of Object.entries(result.metrics)) {
      const m = (metricSums[k] ??= { sum: 0, n: 0 });
      m.sum += v;
      m.n++;
    }
    records.push({
      ...base,
      status: "accepted",
      numExamples,
      metrics: { ...result.metrics },
      trainMs: result.durationMs,
      updateNorm: outcome.updateNorm,
    });
  }

  const totals = {
    bytesIn: records.reduce((s, r) => s + r.bytesIn, 0),
    bytesOut: records.reduce((s, r) => s + r.bytesOut, 0),
  };
  const accepted = updates.map((u) => u.siteId);
  const record: RoundRecord = {
    type: "round",
    round,
    attempt,
    status: "retry",
    strategy: strategy.name,
    participants: sites.map((s) => s.siteId),
    accepted,
    aggregated: 0,
    unchanged: global.size,
    ...totals,
    durationMs: 0,
    metrics: Object.fromEntries(Object.entries(metricSums).map(([k, m]) => [k, m.sum / m.n])),
  };
  if (updates.length < settings.minSitesToClose) {
    record.durationMs = Date.now() - started;
    return { completed: false, global, round: record, sites: records };
  }
  const t0 = performance.now();
  const aggregation = strategy.aggregate(round, global, updates);
  record.aggregationMs = performance.now() - t0;
  record.status = "completed";
  record.aggregated = aggregation.aggregated.length;
  record.unchanged = aggregation.unchanged.length;
  record.durationMs = Date.now() - started;
  if (lastUploadAt !== undefined) {
    record.lastUploadAt = lastUploadAt;
    record.closeMs = performance.timeOrigin + performance.now() - lastUploadAt;
  }
  return { completed: true, global: aggregation.weights, round: record, sites: records, lastUploadAt };
}
