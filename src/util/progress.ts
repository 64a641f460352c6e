// Progress of long work: a redrawn bar when the stream is a terminal, one JSON line per update
// (throttled by intervalMs) otherwise, so logs stay machine-readable.

interface Progress {
  /** `done` units finished so far; `extra` fields go into the log line. */
  update(done: number, extra?: Record<string, unknown>): void;
  finish(extra?: Record<string, unknown>): void;
  /** A one-off structured event (a warning, a skipped case). */
  log(fields: Record<string, unknown>): void;
}

export type ProgressStream = { write(s: string): unknown; isTTY?: boolean };

interface ProgressOptions {
  /** Least time between two lines or redraws; 0 reports every update. */
  intervalMs?: number;
  quiet?: boolean;
  /** Where to write; process.stderr by default. */
  stream?: ProgressStream;
}

const listeners = new Set<(fields: Record<string, unknown>) => void>();

/** Every progress line and event from now on, as fields (a live page shows a running study). */
export function onProgress(listener: (fields: Record<string, unknown>) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function tap(fields: Record<string, unknown>): void {
  for (const l of listeners) l(fields);
}

export function logEvent(fields: Record<string, unknown>): void {
  tap(fields);
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...fields })}\n`);
}

export function progress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const start = Date.now();
  let last = start;
  let current = 0;
  let printed = -1;
  const draw = (done: number, extra: Record<string, unknown> | undefined, force: boolean) => {
    if (opts.quiet) return;
    const now = Date.now();
    if (!force && now - last < interval) return;
    last = now;
    printed = done;
    const elapsed = (now - start) / 1000;
    tap({ event: "progress", task: label, done, total, elapsed_s: Number(elapsed.toFixed(2)), ...extra });
    if (tty) {
      const width = 30;
      const frac = total > 0 ? Math.min(done / total, 1) : 1;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
      const eta = done > 0 && total > done ? ((elapsed / done) * (total - done)).toFixed(0) : "0";
      const tail = extra
        ? ` ${Object.entries(extra)
            .map(([k, v]) => `${k}=${typeof v === "number" ? v.toFixed(4) : v}`)
            .join(" ")}`
        : "";
      stream.write(`\r${label} [${bar}] ${done}/${total} ${elapsed.toFixed(0)}s eta ${eta}s${tail}\x1b[K`);
    } else {
      stream.write(
        `${JSON.stringify({ t: new Date().toISOString(), event: "progress", task: label, done, total, elapsed_s: Number(elapsed.toFixed(2)), ...extra })}\n`,
      );
    }
  };
  return {
    update(done, extra) {
      current = done;
      draw(done, extra, interval === 0);
    },
    finish(extra) {
      const done = total > 0 ? total : current;
      // A log already ending on the final count needs no repeat.
      if (tty || printed !== done || extra) draw(done, extra, true);
      if (tty && !opts.quiet) stream.write("\n");
    },
    log(fields) {
      if (opts.quiet) return;
      const line = JSON.stringify({ t: new Date().toISOString(), task: label, ...fields });
      stream.write(tty ? `\n${line}\n` : `${line}\n`);
    },
  };
}
