// The federation's rounds, from the first missing one to the last, starting from the
// coordinator's weights (starting-point.ts): each round attempted until enough sites' updates
// are accepted, with every attempt logged and every completed round checkpointed.

import { SpareBuffer } from "../../util/spare-buffer.js";
import type { Logger } from "../logging/json-logger.js";
import { TaskKind } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import type { Strategy } from "../strategies/strategy.js";
import { encodeWeightSet, type WeightSet } from "../weights/weight-set.js";
import { saveCheckpoint } from "./checkpoint.js";
import type { CoordinatorSettings } from "./config.js";
import type { ConnectedSites } from "./connected-sites.js";
import type { CoordinatorStatus } from "./coordinator-status.js";
import type { CoordinatorPrivacy } from "./privacy-settings.js";
import type { RoundLog } from "./round-log.js";
import { dispatch, type RoundOutcome, runTrainingRound } from "./round-runner.js";
import { runSecureTrainingRound } from "./secure-round-runner.js";
import type { StartingPoint } from "./starting-point.js";
import type { StopSignal } from "./stop-signal.js";

export interface RoundLoopParts {
  settings: CoordinatorSettings;
  /** Prefixes task ids, so a restarted coordinator's tasks never match a stale reply. */
  runId: string;
  strategy: Strategy;
  sites: ConnectedSites;
  roundLog: RoundLog;
  /** Kept current: phase, round, completed rounds, last round. */
  status: CoordinatorStatus;
  stop: StopSignal;
  log: Logger;
  privacy: CoordinatorPrivacy;
}

export class RoundLoop {
  /** The last completed round (0 before the first). */
  completedRounds: number;
  /** The weights the loop starts from. */
  private readonly startingWeights: WeightSet;
  private readonly settings: CoordinatorSettings;
  private readonly runId: string;
  private readonly strategy: Strategy;
  private readonly sites: ConnectedSites;
  private readonly roundLog: RoundLog;
  private readonly status: CoordinatorStatus;
  private readonly stop: StopSignal;
  private readonly log: Logger;
  private readonly privacy: CoordinatorPrivacy;
  /** The next round's weights are encoded into this, made ready during the current round. */
  private readonly nextPayload = new SpareBuffer();

  constructor(parts: RoundLoopParts, start: StartingPoint) {
    this.completedRounds = start.completedRounds;
    this.startingWeights = start.global;
    this.settings = parts.settings;
    this.runId = parts.runId;
    this.strategy = parts.strategy;
    this.sites = parts.sites;
    this.roundLog = parts.roundLog;
    this.status = parts.status;
    this.stop = parts.stop;
    this.log = parts.log;
    this.privacy = parts.privacy;
  }

  /** Runs the remaining rounds (until stopped); resolves the final global weights. */
  async run(): Promise<WeightSet> {
    let global = this.startingWeights;
    try {
      for (let round = this.completedRounds + 1; round <= this.settings.rounds && !this.stop.stopped; round++)
        global = await this.runRound(round, global);
    } finally {
      this.nextPayload.release();
    }
    return global;
  }

  private async waitForSites(): Promise<void> {
    const { minSitesToStart, waitForSitesTimeoutMs } = this.settings;
    this.status.phase = "waiting-for-sites";
    const enough = await Promise.race([
      this.sites.waitFor(minSitesToStart, waitForSitesTimeoutMs),
      this.stop.requested,
    ]);
    if (this.stop.stopped) throw new Error("coordinator stopped");
    if (!enough) {
      throw new Error(
        `coordinator: fewer than ${minSitesToStart} sites connected within ${waitForSitesTimeoutMs} ms`,
      );
    }
  }

  /** Attempts the round until it completes (or the coordinator stops); resolves the global weights. */
  private async runRound(round: number, global: WeightSet): Promise<WeightSet> {
    const { maxRoundAttempts } = this.settings;
    this.status.round = round;
    for (let attempt = 1; ; attempt++) {
      if (attempt > maxRoundAttempts)
        throw new Error(`coordinator: round ${round} failed ${maxRoundAttempts} times`);
      await this.waitForSites();
      if (this.stop.stopped) return global;
      const outcome = await this.train(round, attempt, global);
      if (outcome.completed) await this.complete(round, outcome);
      else this.retry(round, attempt, outcome);
      this.close(round, outcome);
      if (outcome.completed) return outcome.global;
    }
  }

  /** One attempt: every connected site trains from the global weights; writes the site records. */
  private async train(round: number, attempt: number, global: WeightSet): Promise<RoundOutcome> {
    const {
      roundTimeoutMs,
      minSitesToClose,
      maxUpdateNorm,
      relativeUpdateNormBound,
      chunkBytes,
      concurrentUploads,
    } = this.settings;
    this.status.phase = "training";
    const participants = this.sites.list();
    this.log.log("info", "round-start", { round, attempt, sites: participants.map((s) => s.siteId) });
    const { secure, budget } = this.privacy;
    const roundSettings = {
      runId: this.runId,
      round,
      attempt,
      roundTimeoutMs,
      minSitesToClose,
      maxUpdateNorm,
      relativeUpdateNormBound,
      chunkBytes,
      concurrentUploads,
      transferDtype: this.settings.transfer?.dtype,
      dpClipNorm: budget?.clipNorm,
      nextPayload: this.nextPayload,
    };
    const outcome =
      secure === undefined
        ? await runTrainingRound(roundSettings, global, this.strategy, participants, this.log, budget)
        : await runSecureTrainingRound(
            roundSettings,
            global,
            this.strategy,
            participants,
            { secure, budget, weighting: this.settings.strategy.weighting ?? "uniform" },
            this.log,
          );
    for (const r of outcome.sites) this.roundLog.write(r);
    return outcome;
  }

  /** Counts a completed round, and evaluates its weights when the round is due for it. */
  private async complete(round: number, outcome: RoundOutcome): Promise<void> {
    const { evaluateEvery } = this.settings;
    this.completedRounds = round;
    this.status.completedRounds = round;
    if (evaluateEvery > 0 && round % evaluateEvery === 0)
      outcome.round.evaluation = await this.evaluate(round, outcome.global);
  }

  private retry(round: number, attempt: number, outcome: RoundOutcome): void {
    this.log.log("warn", "round-retry", {
      round,
      attempt,
      accepted: outcome.round.accepted.length,
      needed: this.settings.minSitesToClose,
    });
  }

  /** Records the attempt: round log, checkpoint when completed, status, round-end event. */
  private close(round: number, outcome: RoundOutcome): void {
    const { checkpointDir } = this.settings;
    this.roundLog.write(outcome.round);
    // The checkpoint comes after the round's log lines: a coordinator killed in between
    // repeats the round on resume (to the same weights) rather than losing its record.
    if (outcome.completed && checkpointDir !== undefined) {
      saveCheckpoint(checkpointDir, {
        round,
        strategy: this.strategy.name,
        global: outcome.global,
        strategyState: this.strategy.saveState(),
        privacy: this.privacy.budget?.save(),
      });
    }
    this.status.lastRound = outcome.round;
    const p = outcome.round.privacy;
    if (p !== undefined && this.status.privacy !== undefined)
      this.status.privacy = {
        ...this.status.privacy,
        epsilon: p.epsilon,
        delta: p.delta,
        clipNorm: p.nextClipNorm,
      };
    this.log.log("info", "round-end", { ...outcome.round, type: undefined });
  }

  /** Each site's metrics for the weights; a site that fails is logged and left out. */
  private async evaluate(round: number, weights: WeightSet): Promise<Record<string, Record<string, number>>> {
    this.status.phase = "evaluating";
    const settled = await dispatch(
      this.sites.list(),
      (site) => ({
        taskId: `${this.runId}-eval-r${round}-${site.siteId}`,
        round,
        kind: TaskKind.EVALUATE,
        localEpochs: 0,
        proximalMu: 0,
        options: {},
      }),
      encodeWeightSet(weights),
      `${this.runId}-eval-r${round}`,
      this.settings.chunkBytes,
      { timeoutMs: this.settings.roundTimeoutMs },
    );
    const out: Record<string, Record<string, number>> = {};
    for (const s of settled) {
      if (s.reply?.result.ok) out[s.site.siteId] = { ...s.reply.result.metrics };
      else
        this.log.log("warn", "evaluation-failed", {
          round,
          site: s.site.siteId,
          reason: s.error ?? s.reply?.result.error,
        });
    }
    return out;
  }
}
