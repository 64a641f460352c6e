// Progress of long work: a redrawn bar when stderr is a terminal, one JSON line per update
// (throttled) otherwise, so logs stay machine-readable.

export interface Progress {
  update(done: number, extra?: Record<string, unknown>): void;
  finish(extra?: Record<string, unknown>): void;
}

export function logEvent(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...fields })}\n`);
}

export function progress(
  label: string,
  total: number,
  opts: { intervalMs?: number; quiet?: boolean } = {},
): Progress {
  const tty = process.stderr.isTTY === true;
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const start = Date.now();
  let last = start;
  let current = 0;
  const draw = (done: number, extra: Record<string, unknown> | undefined, force: boolean) => {
    if (opts.quiet) return;
    const now = Date.now();
    if (!force && now - last < interval) return;
    last = now;
    const elapsed = (now - start) / 1000;
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
      process.stderr.write(
        `\r${label} [${bar}] ${done}/${total} ${elapsed.toFixed(0)}s eta ${eta}s${tail}\x1b[K`,
      );
    } else {
      logEvent({
        event: "progress",
        task: label,
        done,
        total,
        elapsed_s: Number(elapsed.toFixed(2)),
        ...extra,
      });
    }
  };
  return {
    update(done, extra) {
      current = done;
      draw(done, extra, false);
    },
    finish(extra) {
      draw(total > 0 ? total : current, extra, true);
      if (tty && !opts.quiet) process.stderr.write("\n");
    },
  };
}
