// Threads and determinism. A thread's libtorch thread count is the one it set, whatever other threads set afterwards: the
// training loop sets 2 and a patch worker then sets 1 for itself. ATen applies its process-wide
// count to a thread lazily, on the thread's first parallel op; before the addon applied it at once,
// a loop that had not run an op yet when its workers started trained on one thread, and its
// results depended on whether preprocessing (a cache miss) had run an op first.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { buildInfo, getNumThreads, setNumThreads } from "../../src/engine/index.js";

const engineUrl = new URL("../../src/engine/index.js", import.meta.url).href;

function workerSetting(n: number): Promise<number> {
  const w = new Worker(
    `const { parentPort } = require("node:worker_threads");
     import(${JSON.stringify(engineUrl)}).then((e) => { e.setNumThreads(${n}); parentPort.postMessage(e.getNumThreads()); });`,
    { eval: true },
  );
  return new Promise<number>((resolve, reject) => {
    w.once("message", (v: number) => void w.terminate().then(() => resolve(v)));
    w.once("error", reject);
  });
}

test("a worker thread setting 1 thread leaves the main thread at the 2 it set, before any op ran there", async () => {
  setNumThreads(2);
  assert.equal(await workerSetting(1), 1);
  assert.equal(getNumThreads(), 2);
  setNumThreads(1);
  assert.equal(await workerSetting(2), 2);
  assert.equal(getNumThreads(), 1);
  setNumThreads(2);
});

test("libtorch runs with its deterministic algorithms on (warnings only where an op has none)", () => {
  assert.equal(buildInfo().deterministicAlgorithms, true);
});
