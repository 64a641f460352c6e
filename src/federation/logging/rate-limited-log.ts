// Log lines that an outsider can trigger at will (stray chunks from a site, a flood of connections
// refused by the cap), limited per key: no more than a few lines a minute each, so the log cannot
// be grown faster than that. What is held back is counted, and the count logged once the key's
// minute is over (or on flush).
import type { Logger } from "./json-logger.js";

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  logged: number;
  suppressed: number;
}

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: Logger,
    private readonly event: string,
    private readonly level: "info" | "warn",
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(key: string, fields: Record<string, unknown>): void {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= WINDOW_MS) {
      if (w !== undefined) this.summarize(key, w);
      w = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (w.logged < this.perMinute) {
      w.logged++;
      this.log.log(this.level, this.event, fields);
    } else w.suppressed++;
  }

  /** Logs what the key's current minute held back (e.g. when a site disconnects). */
  flush(key: string): void {
    const w = this.windows.get(key);
    if (w !== undefined) this.summarize(key, w);
    this.windows.delete(key);
  }

  private summarize(key: string, w: Window): void {
    if (w.suppressed === 0) return;
    this.log.log("warn", `${this.event}-suppressed`, {
      key,
      count: w.suppressed,
      reason: `more than ${this.perMinute} ${this.event} lines in a minute`,
    });
    w.suppressed = 0;
  }
}
