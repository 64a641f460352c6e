// Writes that fail loudly and cleanly. Whole files are written to a temporary name beside the
// target and renamed over it; on any failure (a full disk, a read-only folder) the temporary file
// is removed. Every error names the file being written, not just the system call; log files and
// output folders can be proved writable at start, before any work depends on them.
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";

/** A write that failed: `path` is the file being written; `code` the system error's (ENOSPC, ...). */
export class FileWriteError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const e = cause as NodeJS.ErrnoException;
    super(`cannot write ${path}: ${e.code ?? ""}${e.code ? " " : ""}${systemReason(e)}`, { cause });
    this.name = "FileWriteError";
    this.code = e.code;
  }
}

/** Node's message without the repeated code and syscall ("ENOSPC: no space left on device, write"). */
function systemReason(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z]+: (.*?)(, \w+(?: '.*')?)?$/.exec(e.message ?? "");
  return m?.[1] ?? e.message ?? String(e);
}

function temporaryName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = temporaryName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new FileWriteError(path, e);
  }
}

export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const tmp = temporaryName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, e);
  }
}

/**
 * Creates `dir` if needed and proves a file can be written in it, so a folder that cannot take a
 * checkpoint fails at start rather than after the first round's work. `what` names the setting.
 */
export function ensureWritableDir(dir: string, what: string): void {
  const probe = `${dir}/.segviz-write-probe-${process.pid}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (e) {
    try {
      rmSync(probe, { force: true });
    } catch {
      // Nothing was written where nothing can be.
    }
    const err = e as NodeJS.ErrnoException;
    throw new Error(
      `${what} ${dir} is not writable: ${err.code ?? ""}${err.code ? " " : ""}${systemReason(err)}`,
      {
        cause: e,
      },
    );
  }
}

/** Appends to a log file; a failure names the file. */
export function appendToFileSync(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (e) {
    throw new FileWriteError(path, e);
  }
}
