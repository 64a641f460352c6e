// Structured logs: one JSON object per line, so long federations can be filtered and plotted.

import { appendToFileSync } from "../../util/file-writes.js";

type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** Writes to stderr, or appends to a file when a path is given (proved writable at once). */
export class JsonLineLogger implements Logger {
  constructor(
    private readonly component: string,
    private readonly file?: string,
    private readonly minLevel: LogLevel = "info",
  ) {
    if (file !== undefined) appendToFileSync(file, "");
  }

  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, component: this.component, event, ...fields })}\n`;
    if (this.file !== undefined) appendToFileSync(this.file, line);
    else process.stderr.write(line);
  }
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Collects records in memory (tests) and optionally forwards them. */
export class MemoryLogger implements Logger {
  readonly records: { level: LogLevel; event: string; fields: Record<string, unknown> }[] = [];
  constructor(private readonly next?: Logger) {}
  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    this.records.push({ level, event, fields });
    this.next?.log(level, event, fields);
  }
}

export const silentLogger: Logger = { log() {} };
