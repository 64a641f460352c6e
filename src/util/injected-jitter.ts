// A test hook for determinism: with SEGVIZ_TEST_JITTER_MS=N in the environment, the places where
// timing could leak into results (a patch worker's answer, a site's upload) first wait a random
// 0..N ms. Results must not change; test/experiments/rerun-from-record.test.ts checks they do not.
// Unset (the default), it costs nothing.
import { setTimeout as sleep } from "node:timers/promises";

const ENV = "SEGVIZ_TEST_JITTER_MS";

function maxJitterMs(): number {
  const text = process.env[ENV];
  if (text === undefined || text === "") return 0;
  const n = Number(text);
  if (!(Number.isFinite(n) && n >= 0)) throw new Error(`${ENV}: expected milliseconds >= 0, got '${text}'`);
  return n;
}

const limit = maxJitterMs();

/** Waits a random 0..SEGVIZ_TEST_JITTER_MS ms, or returns at once when the variable is unset. */
export async function injectedJitter(): Promise<void> {
  if (limit > 0) await sleep(Math.random() * limit);
}
