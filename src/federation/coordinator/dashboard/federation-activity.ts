// What the federation dashboard shows, kept current from the coordinator's own log events and
// round records: every site seen (connected or not, last seen, rounds done, rejections), every
// round attempt (phase, duration, bytes, whether all sites loaded what was sent) and each site's
// curves (training loss, validation Dice). Subscribers (the server-sent event streams) get each
// change as it happens. Nothing here holds a token, a key or a file path.

import type { Logger } from "../../logging/json-logger.js";
import type { CoordinatorStatus } from "../coordinator-status.js";
import type { RoundLogRecord, RoundRecord, SiteRoundRecord } from "../round-log.js";
import { redactPaths } from "./redact.js";

export interface SiteActivity {
  id: string;
  organs: string[];
  numTrainingCases: number;
  connected: boolean;
  lastSeen: string;
  roundsDone: number;
  rejected: { round: number; attempt: number; status: string; reason: string }[];
}

export interface RoundActivity {
  round: number;
  attempt: number;
  phase: "training" | "done" | "retry";
  startedAt: string;
  durationMs?: number;
  bytesIn?: number;
  bytesOut?: number;
  accepted?: string[];
  /** Every accepted site loaded exactly the shared weights sent, and all got the same (digests). */
  allLoadedWhatWasSent?: boolean;
  epsilon?: number;
}

export interface CurvePoint {
  round: number;
  loss?: number;
  dice?: number;
}

export interface ActivitySnapshot {
  status: CoordinatorStatus;
  sites: SiteActivity[];
  rounds: RoundActivity[];
  curves: Record<string, CurvePoint[]>;
}

export type ActivityEvent =
  | { type: "site"; site: SiteActivity }
  | { type: "round"; round: RoundActivity; status: CoordinatorStatus }
  | { type: "curve"; site: string; point: CurvePoint };

const MAX_ROUNDS = 500;
const MAX_REJECTIONS = 20;

export class FederationActivity {
  private readonly sites = new Map<string, SiteActivity>();
  private readonly rounds: RoundActivity[] = [];
  private readonly curves = new Map<string, Map<number, CurvePoint>>();
  private readonly pendingSiteRecords: SiteRoundRecord[] = [];
  private readonly listeners = new Set<(e: ActivityEvent) => void>();
  /** Counters for /metrics. */
  readonly totals = {
    bytesIn: 0,
    bytesOut: 0,
    rejected: new Map<string, number>(),
    attempts: { completed: 0, retry: 0 },
  };
  lastRoundSeconds = 0;

  constructor(private readonly status: () => CoordinatorStatus) {}

  /** A logger that forwards to `next` and feeds this activity. */
  logger(next: Logger): Logger {
    return {
      log: (level, event, fields = {}) => {
        next.log(level, event, fields);
        this.onLogEvent(event, fields);
      },
    };
  }

  subscribe(listener: (e: ActivityEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): ActivitySnapshot {
    return {
      status: this.status(),
      sites: [...this.sites.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
      rounds: [...this.rounds],
      curves: Object.fromEntries([...this.curves].map(([site, points]) => [site, [...points.values()]])),
    };
  }

  private emit(e: ActivityEvent): void {
    for (const l of this.listeners) l(e);
  }

  private site(id: string): SiteActivity {
    let s = this.sites.get(id);
    if (s === undefined) {
      s = {
        id,
        organs: [],
        numTrainingCases: 0,
        connected: false,
        lastSeen: new Date().toISOString(),
        roundsDone: 0,
        rejected: [],
      };
      this.sites.set(id, s);
    }
    return s;
  }

  private onLogEvent(event: string, f: Record<string, unknown>): void {
    if (event === "site-joined" || event === "site-left") {
      const s = this.site(String(f.site));
      s.connected = event === "site-joined";
      s.lastSeen = new Date().toISOString();
      if (event === "site-joined") {
        s.organs = Array.isArray(f.organs) ? f.organs.map(String) : [];
        s.numTrainingCases = Number(f.numTrainingCases ?? 0);
      }
      this.emit({ type: "site", site: { ...s } });
    } else if (event === "round-start") {
      const r: RoundActivity = {
        round: Number(f.round),
        attempt: Number(f.attempt),
        phase: "training",
        startedAt: new Date().toISOString(),
      };
      this.rounds.push(r);
      if (this.rounds.length > MAX_ROUNDS) this.rounds.shift();
      this.emit({ type: "round", round: { ...r }, status: this.status() });
    }
  }

  /** Feeds a round-log record (RoundLog's listener). */
  onRecord(record: RoundLogRecord): void {
    if (record.type === "site-round") this.onSiteRound(record);
    else this.onRound(record);
  }

  private onSiteRound(r: SiteRoundRecord): void {
    const s = this.site(r.site);
    s.lastSeen = new Date().toISOString();
    this.totals.bytesIn += r.bytesIn;
    this.totals.bytesOut += r.bytesOut;
    if (r.status === "accepted") {
      this.pendingSiteRecords.push(r);
      const loss = r.metrics?.loss;
      if (loss !== undefined) this.curvePoint(r.site, r.round, { loss });
    } else {
      s.rejected.push({
        round: r.round,
        attempt: r.attempt,
        status: r.status,
        reason: redactPaths(r.reason ?? ""),
      });
      if (s.rejected.length > MAX_REJECTIONS) s.rejected.shift();
      this.totals.rejected.set(r.site, (this.totals.rejected.get(r.site) ?? 0) + 1);
    }
    this.emit({ type: "site", site: { ...s } });
  }

  private onRound(r: RoundRecord): void {
    const accepted = this.pendingSiteRecords
      .splice(0)
      .filter((s) => s.round === r.round && s.attempt === r.attempt);
    const activity =
      this.rounds.find((a) => a.round === r.round && a.attempt === r.attempt) ??
      ({
        round: r.round,
        attempt: r.attempt,
        phase: "training",
        startedAt: new Date().toISOString(),
      } as RoundActivity);
    if (!this.rounds.includes(activity)) this.rounds.push(activity);
    activity.phase = r.status === "completed" ? "done" : "retry";
    activity.durationMs = r.durationMs;
    activity.bytesIn = r.bytesIn;
    activity.bytesOut = r.bytesOut;
    activity.accepted = r.accepted;
    activity.epsilon = r.privacy?.epsilon;
    this.totals.attempts[r.status === "completed" ? "completed" : "retry"]++;
    this.lastRoundSeconds = r.durationMs / 1000;
    if (r.status === "completed") {
      const digests = accepted.map((s) => [s.metrics?.receivedSharedDigest, s.metrics?.loadedSharedDigest]);
      activity.allLoadedWhatWasSent =
        digests.length > 0 &&
        digests.every(([a, b]) => a !== undefined && a === b) &&
        digests.every(([a]) => a === digests[0][0]);
      for (const s of accepted) this.site(s.site).roundsDone++;
      for (const [site, metrics] of Object.entries(r.evaluation ?? {})) {
        const dice = metrics.meanDice;
        if (dice !== undefined) this.curvePoint(site, r.round, { dice });
      }
    }
    this.emit({ type: "round", round: { ...activity }, status: this.status() });
    for (const s of accepted) this.emit({ type: "site", site: { ...this.site(s.site) } });
  }

  private curvePoint(site: string, round: number, values: Omit<CurvePoint, "round">): void {
    let points = this.curves.get(site);
    if (points === undefined) {
      points = new Map();
      this.curves.set(site, points);
    }
    const point = { ...(points.get(round) ?? { round }), ...values };
    points.set(round, point);
    this.emit({ type: "curve", site, point });
  }
}
