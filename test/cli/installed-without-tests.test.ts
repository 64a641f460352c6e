// The command line starts in a copy of the product without the test/ folder (a package built from
// src/ and bench/ only): no command may need the test fixtures unless it is the one that reads them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { REPO_ROOT } from "../fixtures/index.js";

const copy = mkdtempSync(join(tmpdir(), "segviz-no-tests-"));
after(() => rmSync(copy, { recursive: true, force: true }));

test("segviz --help, info and the tiny phantom run where test/ is absent", () => {
  for (const part of ["dist/src", "dist/bench", "package.json"])
    cpSync(join(REPO_ROOT, part), join(copy, part), { recursive: true });
  const addon = "native/build/Release/segviz_torch.node";
  mkdirSync(join(copy, "native/build/Release"), { recursive: true });
  cpSync(join(REPO_ROOT, addon), join(copy, addon));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(copy, "dist/src/cli/main.js"), ...args], {
      cwd: copy,
      encoding: "utf8",
    });
  for (const args of [
    ["--help"],
    ["info"],
    [
      "phantom",
      "federation",
      "--out",
      join(copy, "phantom"),
      "--size",
      "tiny",
      "--cases-per-site",
      "1",
      "--test-cases",
      "1",
    ],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 0, `segviz ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  }
});
