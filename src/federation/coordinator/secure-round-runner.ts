// One attempt at one round under secure aggregation (privacy/secure-aggregation): the sites
// train and advertise keys, share them, send masked updates, and return the shares that remove
// the masks. The coordinator learns the sum of the survivors' updates and nothing of any one
// of them. A stage with fewer than the threshold (or minSitesToClose) sites ends the attempt as a
// retry; every site's fate is recorded with the stage it reached.

import { join } from "node:path";
import { ensureWritableDir, writeFileAtomicSync } from "../../util/file-writes.js";
import type { Logger } from "../logging/json-logger.js";
import { updateNoiseMultiplier } from "../privacy/differential-privacy/config.js";
import type { PrivacyBudget, PrivacyRecord } from "../privacy/differential-privacy/privacy-budget.js";
import type { SecureAggregationSettings } from "../privacy/secure-aggregation/config.js";
import { dequantise } from "../privacy/secure-aggregation/fixed-point.js";
import {
  encodeMemberKeys,
  MAX_SEALED_SHARE,
  type MemberKeys,
  OPTION,
  onlyNames,
  readAdvert,
  readBytes,
} from "../privacy/secure-aggregation/stage-messages.js";
import { unmaskSum } from "../privacy/secure-aggregation/unmasking.js";
import { vectorLayout } from "../privacy/secure-aggregation/vector-layout.js";
import { TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { type OutgoingPayload, preparePayload } from "../protocol/payload.js";
import type { Strategy } from "../strategies/strategy.js";
import {
  decodeWeightSet,
  encodeWeightSet,
  fromFloat64,
  numericView,
  type WeightSet,
} from "../weights/weight-set.js";
import type { SecureRoundRecord, SiteRoundRecord } from "./round-log.js";
import {
  attemptRecord,
  completedOutcome,
  type DispatchOptions,
  dispatchEach,
  meanMetrics,
  type RoundOutcome,
  type RoundSettings,
  retryOutcome,
  type Settled,
} from "./round-runner.js";
import type { SiteConnection } from "./site-connection.js";

export interface SecureRoundPrivacy {
  secure: SecureAggregationSettings & { transcriptDir?: string };
  budget?: PrivacyBudget;
  weighting: "uniform" | "cases";
}

type Stage = "train" | "share-keys" | "masked-input" | "unmask";

/** What the coordinator knows of one site through the stages. */
interface SiteTrack {
  site: SiteConnection;
  startedAt: number;
  bytesIn: number;
  bytesOut: number;
  failure?: { status: SiteRoundRecord["status"]; reason: string };
  metrics: Record<string, number>;
  numExamples: number;
  trainMs?: number;
}

class StageFailure extends Error {}

export async function runSecureTrainingRound(
  settings: RoundSettings,
  global: WeightSet,
  strategy: Strategy,
  sites: SiteConnection[],
  privacy: SecureRoundPrivacy,
  log: Logger,
): Promise<RoundOutcome> {
  const { round, attempt, runId } = settings;
  const { secure, budget } = privacy;
  const session = `${runId}-r${round}-a${attempt}`;
  const started = Date.now();
  const stageMs: Record<string, number> = {};
  const tracks = new Map(
    sites.map((site) => [
      site.siteId,
      { site, startedAt: started, bytesIn: 0, bytesOut: 0, metrics: {}, numExamples: 0 } as SiteTrack,
    ]),
  );
  const need = Math.max(secure.threshold, settings.minSitesToClose);
  const plan = strategy.configureRound(round);
  const transcript = secure.transcriptDir === undefined ? undefined : join(secure.transcriptDir, session);
  if (transcript !== undefined) ensureWritableDir(transcript, "secureAggregation.transcriptDir");

  /** Runs one stage on `members`; returns the decoded payloads of those that passed `check`. */
  const stage = async (
    name: Stage,
    members: string[],
    kind: TaskKind,
    options: (id: string) => Record<string, string>,
    payloadFor: (id: string) => OutgoingPayload | undefined,
    check: (id: string, payload: WeightSet | undefined, s: Settled) => void,
    sending: Pick<DispatchOptions, "onAllSent"> & { maxReplyBytes?: number } = {},
  ): Promise<string[]> => {
    const t0 = performance.now();
    const settled = await dispatchEach(
      members.map((id) => tracks.get(id)!.site),
      (site) => ({
        taskId: `${session}-${name}-${site.siteId}`,
        round,
        kind,
        localEpochs: plan.localEpochs,
        proximalMu: plan.proximalMu,
        options: options(site.siteId),
      }),
      (site) => payloadFor(site.siteId),
      { timeoutMs: settings.roundTimeoutMs, ...sending },
    );
    const passed: string[] = [];
    for (const s of settled) {
      const track = tracks.get(s.site.siteId)!;
      track.bytesIn += s.reply?.bytesIn ?? 0;
      track.bytesOut += s.reply?.bytesOut ?? 0;
      const fail = (status: SiteRoundRecord["status"], reason: string) => {
        track.failure = { status, reason: `${name}: ${reason}` };
        log.log("warn", "update-rejected", {
          round,
          attempt,
          site: s.site.siteId,
          status,
          reason: track.failure.reason,
        });
      };
      if (s.reply === undefined) {
        fail(s.timedOut ? "timed-out" : "failed", s.error ?? "unknown failure");
        continue;
      }
      const { result, payload, payloadError } = s.reply;
      if (!result.ok) {
        fail("failed", `site reported: ${result.error}`);
        continue;
      }
      if (payloadError !== undefined) {
        fail("rejected", payloadError);
        continue;
      }
      try {
        if (transcript !== undefined && payload !== undefined)
          writeFileAtomicSync(join(transcript, `${name}-${s.site.siteId}.safetensors`), payload);
        const decoded =
          payload === undefined ? undefined : decodeWeightSet(payload, `site ${s.site.siteId} ${name}`);
        check(s.site.siteId, decoded, s);
        for (const [k, v] of Object.entries(result.metrics)) track.metrics[k] = v;
        passed.push(s.site.siteId);
      } catch (e) {
        fail("rejected", (e as Error).message);
      }
    }
    stageMs[name] = performance.now() - t0;
    log.log("info", "secure-stage", { round, attempt, stage: name, sites: passed });
    if (passed.length < need)
      throw new StageFailure(`${name}: ${passed.length} sites passed, ${need} needed`);
    return passed.sort();
  };

  const dp =
    budget === undefined ? undefined : { clipNorm: budget.clipNorm, adaptive: budget.settings.adaptive };
  const baseOptions = {
    [OPTION.session]: session,
    [OPTION.threshold]: String(secure.threshold),
    [OPTION.bits]: String(secure.bits),
    [OPTION.clipRange]: String(secure.clipRange),
  };
  const members = new Map<string, MemberKeys>();
  const sealed = new Map<string, WeightSet>();
  const masked = new Map<string, Uint32Array>();
  const layout = vectorLayout(
    global,
    secure.bits,
    secure.clipRange,
    dp?.adaptive !== undefined ? ["dp.unclipped"] : [],
  );
  let record: SecureRoundRecord | undefined;
  let mean: WeightSet | undefined;
  let privacyRecord: PrivacyRecord | undefined;
  let lastUploadAt: number | undefined;
  let failure: string | undefined;
  try {
    // 1. Train, and advertise fresh keys instead of the update.
    const spare = settings.nextPayload;
    const globalBytes = encodeWeightSet(global, { round: String(round) }, spare?.take);
    const globalPayload = preparePayload(globalBytes, `${session}-global`, settings.chunkBytes);
    const advertised = await stage(
      "train",
      sites.map((s) => s.siteId),
      TaskKind.TRAIN,
      () => ({ ...plan.options, ...baseOptions }),
      () => globalPayload,
      (id, payload, s) => {
        if (payload === undefined) throw new Error("result carried no keys");
        members.set(id, readAdvert(payload, `keys of ${id}`));
        const track = tracks.get(id)!;
        track.numExamples = Number(s.reply!.result.numExamples);
        track.trainMs = s.reply!.result.durationMs;
      },
      // While the sites train, ready the buffer for the next round's weights (round-runner.ts).
      { onAllSent: () => spare?.prepare(globalBytes.length) },
    );
    for (const id of [...members.keys()]) if (!advertised.includes(id)) members.delete(id);
    // 2. Everyone's public keys to everyone; sealed shares back.
    const keysPayload = preparePayload(
      encodeWeightSet(encodeMemberKeys(members)),
      `${session}-keys`,
      settings.chunkBytes,
    );
    const shared = await stage(
      "share-keys",
      advertised,
      TaskKind.SECAGG_SHARE_KEYS,
      () => ({ [OPTION.session]: session }),
      () => keysPayload,
      (id, payload) => {
        if (payload === undefined) throw new Error("result carried no shares");
        const expected = advertised.filter((v) => v !== id).map((v) => `to/${v}`);
        onlyNames(payload, expected, `shares of ${id}`);
        for (const name of expected) readBytes(payload, name, `shares of ${id}`, { max: MAX_SEALED_SHARE });
        sealed.set(id, payload);
      },
    );
    // 3. Each site gets the shares sealed for it and sends its masked update.
    const meanExamples = (ids: string[]) =>
      ids.reduce((s, id) => s + tracks.get(id)!.numExamples, 0) / ids.length;
    const averageExamples = meanExamples(shared);
    const weightOf = (id: string) =>
      privacy.weighting === "cases" && averageExamples > 0
        ? tracks.get(id)!.numExamples / averageExamples
        : 1;
    const noise =
      dp === undefined
        ? {}
        : {
            "dp.clipNorm": String(dp.clipNorm),
            "dp.noiseStd": String(
              (updateNoiseMultiplier(budget!.settings) * dp.clipNorm) / Math.sqrt(shared.length),
            ),
            ...(dp.adaptive === undefined
              ? {}
              : { "dp.countNoiseStd": String(dp.adaptive.countNoiseStd / Math.sqrt(shared.length)) }),
          };
    const summedCandidates = await stage(
      "masked-input",
      shared,
      TaskKind.SECAGG_MASKED_INPUT,
      (id) => ({
        [OPTION.session]: session,
        [OPTION.sites]: JSON.stringify(shared),
        [OPTION.weight]: String(weightOf(id)),
        ...noise,
      }),
      (v) =>
        preparePayload(
          encodeWeightSet(
            new Map(shared.filter((u) => u !== v).map((u) => [`from/${u}`, sealed.get(u)!.get(`to/${v}`)!])),
          ),
          `${session}-shares-${v}`,
          settings.chunkBytes,
        ),
      (id, payload, s) => {
        if (payload === undefined) throw new Error("result carried no masked update");
        onlyNames(payload, ["masked"], `masked update of ${id}`);
        const t = payload.get("masked");
        if (t === undefined || t.dtype !== "int32" || t.shape.length !== 1 || t.data.length !== layout.length)
          throw new Error(`masked update of ${id} must be int32[${layout.length}]`);
        masked.set(id, new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length));
        lastUploadAt = Math.max(lastUploadAt ?? 0, s.reply!.receivedAt);
      },
      // The masked vector's 4 bytes per value, and room for its safetensors header.
      { maxReplyBytes: 4 * layout.length + 64 * 1024 },
    );
    // 4. The survivors return the shares that remove the masks.
    const replies = new Map<string, WeightSet>();
    await stage(
      "unmask",
      summedCandidates,
      TaskKind.SECAGG_UNMASK,
      () => ({ [OPTION.session]: session, [OPTION.sites]: JSON.stringify(summedCandidates) }),
      () => undefined,
      (id, payload) => {
        if (payload === undefined) throw new Error("result carried no shares");
        replies.set(id, payload);
      },
    );
    const t0 = performance.now();
    const unmasked = await unmaskSum(
      {
        session,
        threshold: secure.threshold,
        members,
        masking: shared,
        survivors: summedCandidates,
        masked,
        replies,
      },
      layout.length,
    );
    for (const [site, reason] of Object.entries(unmasked.refused)) {
      log.log("warn", "secure-bad-share", { round, attempt, site, reason });
    }
    for (const site of unmasked.liars)
      log.log("warn", "secure-bad-share", {
        round,
        attempt,
        site,
        reason: "a returned share contradicts its owner's commitment",
      });
    // The mean of the survivors' updates, on top of the global weights.
    const divisor = summedCandidates.reduce((s, id) => s + weightOf(id), 0);
    mean = new Map();
    let noisyCount: number | undefined;
    for (const e of layout.entries) {
      if (e.name === "dp.unclipped") {
        noisyCount = dequantise(unmasked.sum, e.offset, 1, e.scale, 1)[0];
        continue;
      }
      const g = global.get(e.name)!;
      const d = dequantise(unmasked.sum, e.offset, e.length, e.scale, divisor);
      const base = numericView(g);
      for (let i = 0; i < d.length; i++) d[i] += base[i];
      mean.set(e.name, fromFloat64(g.dtype, g.shape, d));
    }
    stageMs.unmasking = performance.now() - t0;
    if (budget !== undefined) {
      // Only the survivors' noise is in the sum: each added 1/|shared| of the variance.
      const kept = Math.sqrt(summedCandidates.length / shared.length);
      privacyRecord = budget.release({
        round,
        contributors: summedCandidates.length,
        updateNoiseStd: updateNoiseMultiplier(budget.settings) * budget.clipNorm * kept,
        countNoiseStd:
          budget.settings.adaptive === undefined ? undefined : budget.settings.adaptive.countNoiseStd * kept,
        noisyUnclippedCount: noisyCount,
      });
    }
    record = {
      session,
      advertised: advertised.length,
      shared: shared.length,
      summed: summedCandidates,
      dropped: shared.filter((id) => !summedCandidates.includes(id)),
      badShares: [...unmasked.liars, ...Object.keys(unmasked.refused)].sort(),
      rebuiltSeeds: unmasked.rebuiltSeeds,
      rebuiltKeys: unmasked.rebuiltKeys,
      clippedValues: summedCandidates.reduce(
        (s, id) => s + (tracks.get(id)!.metrics.secaggClippedValues ?? 0),
        0,
      ),
      stageMs,
    };
    for (const id of summedCandidates) tracks.get(id)!.failure = undefined;
  } catch (e) {
    failure = (e as Error).message;
    if (!(e instanceof StageFailure))
      log.log("error", "secure-round-failed", { round, attempt, reason: failure });
  }
  const summed = new Set(record?.summed ?? []);
  const records: SiteRoundRecord[] = [];
  for (const track of [...tracks.values()].sort((a, b) => (a.site.siteId < b.site.siteId ? -1 : 1))) {
    const base = {
      type: "site-round" as const,
      round,
      attempt,
      site: track.site.siteId,
      bytesIn: track.bytesIn,
      bytesOut: track.bytesOut,
      durationMs: Date.now() - track.startedAt,
    };
    if (summed.has(track.site.siteId)) {
      records.push({
        ...base,
        status: "accepted",
        numExamples: track.numExamples,
        metrics: { ...track.metrics },
        trainMs: track.trainMs,
      });
    } else {
      const f = track.failure ?? { status: "failed" as const, reason: `round not completed: ${failure}` };
      records.push({ ...base, status: f.status, reason: f.reason });
    }
  }
  const roundRecord = attemptRecord(settings, strategy, sites, global, records, meanMetrics(records));
  roundRecord.secureAggregation = record;
  if (mean === undefined || record === undefined) return retryOutcome(roundRecord, global, records, started);
  const t0 = performance.now();
  const aggregation = strategy.fromMean!(round, global, mean);
  roundRecord.aggregationMs = performance.now() - t0 + (stageMs.unmasking ?? 0);
  roundRecord.privacy = privacyRecord;
  return completedOutcome(roundRecord, aggregation, records, started, lastUploadAt);
}
