// One JSON line per round and one per site per round: what tools and the dashboard read.

import { appendFileSync } from "node:fs";

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
  aggregationMs?: number;
  /** From the last accepted upload to the new global weights being checkpointed. */
  closeMs?: number;
  /** When the last accepted upload finished arriving (epoch ms, sub-millisecond). */
  lastUploadAt?: number;
  metrics: Record<string, number>;
  evaluation?: Record<string, Record<string, number>>;
}

export type RoundLogRecord = SiteRoundRecord | RoundRecord;

export class RoundLog {
  readonly records: RoundLogRecord[] = [];
  constructor(private readonly file?: string) {}

  write(record: RoundLogRecord): void {
    this.records.push(record);
    if (this.file !== undefined)
      appendFileSync(this.file, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }
}
