// Progress of long jobs: structured JSON lines on stderr (machine-readable logs), or a one-line bar
// redrawn in place when stderr is a terminal.

export interface ProgressOptions {
  task: string;
  total: number;
  /** Where to write; process.stderr by default. */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private readonly stream: NonNullable<ProgressOptions["stream"]>;
  private readonly tty: boolean;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
  }

  /** One unit finished; `fields` (case name, cache hit, ...) go into the log line. */
  tick(fields: Record<string, unknown> = {}): void {
    this.done++;
    const elapsed = (performance.now() - this.started) / 1000;
    if (this.tty) {
      const width = 30;
      const filled = Math.round((width * this.done) / Math.max(this.o.total, 1));
      const eta = this.done > 0 ? (elapsed / this.done) * (this.o.total - this.done) : 0;
      const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
      this.stream.write(
        `\r${this.o.task} [${bar}] ${this.done}/${this.o.total} ${elapsed.toFixed(1)}s eta ${eta.toFixed(0)}s`,
      );
      if (this.done >= this.o.total) this.stream.write("\n");
      return;
    }
    this.stream.write(
      `${JSON.stringify({ t: new Date().toISOString(), event: "progress", task: this.o.task, done: this.done, total: this.o.total, elapsed_s: Number(elapsed.toFixed(3)), ...fields })}\n`,
    );
  }

  /** A one-off structured event (warnings, skipped cases). */
  log(fields: Record<string, unknown>): void {
    const line = JSON.stringify({ t: new Date().toISOString(), task: this.o.task, ...fields });
    this.stream.write(this.tty ? `\n${line}\n` : `${line}\n`);
  }
}
