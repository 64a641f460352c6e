// Runs every compiled test file with Node's built-in runner. Files run one at a time, because the
// heavy ones use both cores for libtorch and would only slow each other down.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect("dist/test")
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("run-tests: no test files found under dist/test (did the TypeScript build run?)");
  process.exit(1);
}
const reporter = process.stdout.isTTY ? "spec" : "spec";
const r = spawnSync(
  process.execPath,
  ["--test", "--test-concurrency=1", `--test-reporter=${reporter}`, ...files],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
