// Forking a coordinator or a site as a separate Node process, the same code path as a real
// deployment, talking over loopback.

import { type ChildProcess, fork } from "node:child_process";
import type { CoordinatorConfig } from "../coordinator/config.js";
import type { SiteConfig } from "../site/config.js";
import type { FromCoordinator, FromSite, TrainerSpec } from "./messages.js";

const COORDINATOR_ENTRY = new URL("./coordinator-entry.js", import.meta.url);
const SITE_ENTRY = new URL("./site-entry.js", import.meta.url);

interface ProcessOptions {
  /** Threads the process's numeric libraries may use (OMP_NUM_THREADS). */
  threads?: number;
  /** Where the child's stderr goes; inherited by default. */
  stdio?: "inherit" | "ignore";
}

function env(threads?: number): NodeJS.ProcessEnv {
  const e = { ...process.env };
  if (threads !== undefined) {
    e.OMP_NUM_THREADS = String(threads);
    e.SEGVIZ_THREADS = String(threads);
  }
  return e;
}

/**
 * The child's exit code, once its IPC channel is closed too: 'exit' can come before the child's
 * last messages are delivered (a coordinator's "done" sent just before process.exit), 'close'
 * comes after them. Called right after fork, before either can have fired.
 */
function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("close", (code) => resolve(code)));
}

interface CoordinatorProcess {
  child: ChildProcess;
  listening: Promise<{ port: number; statusPort?: number }>;
  /** The last message it sent before exiting (done or failed), or undefined if killed. */
  finished: Promise<FromCoordinator | undefined>;
  exit: Promise<number | null>;
}

export function forkCoordinator(config: CoordinatorConfig, options: ProcessOptions = {}): CoordinatorProcess {
  const child = fork(COORDINATOR_ENTRY, [], {
    env: env(options.threads),
    stdio: ["ignore", "inherit", options.stdio ?? "inherit", "ipc"],
  });
  let last: FromCoordinator | undefined;
  const listening = new Promise<{ port: number; statusPort?: number }>((resolve, reject) => {
    child.on("message", (m: FromCoordinator) => {
      last = m;
      if (m.type === "listening") resolve({ port: m.port, statusPort: m.statusPort });
      if (m.type === "failed") reject(new Error(m.error));
    });
    child.once("exit", (code) => reject(new Error(`coordinator exited (${code}) before listening`)));
  });
  listening.catch(() => {});
  const exit = exited(child);
  child.send({ type: "start", config });
  return { child, listening, exit, finished: exit.then(() => last) };
}

interface SiteProcess {
  child: ChildProcess;
  finished: Promise<FromSite | undefined>;
  exit: Promise<number | null>;
}

export function forkSite(
  config: SiteConfig,
  trainer: TrainerSpec,
  options: ProcessOptions = {},
): SiteProcess {
  const child = fork(SITE_ENTRY, [], {
    env: env(options.threads),
    stdio: ["ignore", "inherit", options.stdio ?? "inherit", "ipc"],
  });
  let last: FromSite | undefined;
  child.on("message", (m: FromSite) => {
    last = m;
  });
  const exit = exited(child);
  child.send({ type: "start", config, trainer });
  return { child, exit, finished: exit.then(() => last) };
}
