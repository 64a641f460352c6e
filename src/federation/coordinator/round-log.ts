// One JSON line per round and one per site per round: what tools and the dashboard read.

import { existsSync, readFileSync } from "node:fs";
import { appendToFileSync } from "../../util/file-writes.js";
import type { PrivacyRecord } from "../privacy/differential-privacy/privacy-budget.js";

export interface SiteRoundRecord {
  type: "site-round";
  round: number;
  attempt: number;
  site: string;
  status: "accepted" | "rejected" | "failed" | "timed-out";
  reason?: string;
  numExamples?: number;
  metrics?: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  trainMs?: number;
  updateNorm?: number;
}

export interface RoundRecord {
  type: "round";
  round: number;
  attempt: number;
  status: "completed" | "retry";
  strategy: string;
  participants: string[];
  accepted: string[];
  aggregated: number;
  unchanged: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  /** After the last upload: the time to the new weights (streaming: dividing the running sum). */
  aggregationMs?: number;
  /**
   * How the updates were combined: "streaming" (each folded into a running mean as it came and
   * then let go) or "per-site" (all kept until the round closed: robust strategies).
   */
  aggregation?: "streaming" | "per-site";
  /** From the last accepted upload to the new global weights being checkpointed. */
  closeMs?: number;
  /** When the last accepted upload finished arriving (epoch ms, sub-millisecond). */
  lastUploadAt?: number;
  metrics: Record<string, number>;
  evaluation?: Record<string, Record<string, number>>;
  /** A secure-aggregation round: who stayed to which stage, what was rebuilt, stage times. */
  secureAggregation?: SecureRoundRecord;
  /** Differential privacy after this round: (epsilon, delta) so far, noise and clipping. */
  privacy?: PrivacyRecord;
}

export interface SecureRoundRecord {
  session: string;
  /** Sites that advertised keys, shared them, and whose masked update was summed. */
  advertised: number;
  shared: number;
  summed: string[];
  /** Sites that shared keys but sent no masked update (their masks were removed). */
  dropped: string[];
  /** Sites whose returned shares contradicted their owners' commitments. */
  badShares: string[];
  rebuiltSeeds: number;
  rebuiltKeys: number;
  /** Values the sites had to clip to the quantisation range, summed. */
  clippedValues: number;
  stageMs: Record<string, number>;
}

export type RoundLogRecord = SiteRoundRecord | RoundRecord;

export class RoundLog {
  readonly records: RoundLogRecord[] = [];
  /** A file is proved writable at once: a coordinator that cannot log its rounds does not start. */
  constructor(private readonly file?: string) {
    if (file !== undefined) appendToFileSync(file, "");
  }

  private readonly listeners: ((record: RoundLogRecord) => void)[] = [];

  /** Called with every record written from now on (the dashboard follows the rounds). */
  onRecord(listener: (record: RoundLogRecord) => void): void {
    this.listeners.push(listener);
  }

  write(record: RoundLogRecord): void {
    this.records.push(record);
    for (const l of this.listeners) l(record);
    if (this.file !== undefined)
      appendToFileSync(this.file, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }
}

/** A round log file's records, oldest first; none if the file does not exist yet. */
export function readRoundLog(file: string): RoundLogRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as RoundLogRecord;
      } catch (e) {
        throw new Error(`${file}: line ${i + 1} is not JSON (${(e as Error).message})`);
      }
    });
}

export function completedRounds(records: readonly RoundLogRecord[]): RoundRecord[] {
  return records.filter((r): r is RoundRecord => r.type === "round" && r.status === "completed");
}

/** The site-round records of the attempts that completed each round. */
export function acceptedSiteRounds(records: readonly RoundLogRecord[]): SiteRoundRecord[] {
  const done = new Map(completedRounds(records).map((r) => [r.round, r.attempt]));
  return records.filter(
    (r): r is SiteRoundRecord =>
      r.type === "site-round" && r.status === "accepted" && done.get(r.round) === r.attempt,
  );
}

export interface SharingVerification {
  completedRounds: number;
  /**
   * Completed rounds in which every listed site reported loading exactly the shared tensors it
   * received (equal digests) and all sites loaded the same ones.
   */
  roundsVerified: number;
}

/** What the sites' weight digests in the round log prove about each completed round. */
export function verifySharing(
  records: readonly RoundLogRecord[],
  sites: readonly string[],
): SharingVerification {
  const rounds = completedRounds(records);
  const siteRounds = acceptedSiteRounds(records);
  let verified = 0;
  for (const r of rounds) {
    const these = siteRounds.filter((s) => s.round === r.round);
    const loaded = these.map((s) => s.metrics?.loadedSharedDigest);
    const ok =
      these.length === sites.length &&
      these.every((s) => s.metrics?.loadedSharedDigest === s.metrics?.receivedSharedDigest) &&
      loaded.every((d) => d !== undefined && d === loaded[0]);
    if (ok) verified++;
  }
  return { completedRounds: rounds.length, roundsVerified: verified };
}
