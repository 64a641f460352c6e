// A clone of the repository on its own is complete: no source, test, benchmark, script or config
// reaches for files beside the checkout, and the documentation links only to files inside it.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../fixtures/index.js";

function files(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, keep));
    else if (keep(name)) out.push(p);
  }
  return out;
}

// Paths outside a checkout that earlier code reached for: the shared folder beside it, and
// absolute paths of one machine.
const OUTSIDE = /\.\.\/shared\b|\bshared\/data\b|\bshared\/reference\b|["'`]\/work\//;

test("no source, test, benchmark, script or config refers to files outside the repository", () => {
  const roots = ["src", "test", "bench", "scripts", "configs", "reference", "native/src"];
  const offenders: string[] = [];
  for (const root of roots) {
    const dir = join(REPO_ROOT, root);
    if (!existsSync(dir)) continue;
    for (const f of files(dir, (n) => /\.(ts|mjs|js|json|py|sh|cc|h)$/.test(n) && !n.endsWith(".d.ts"))) {
      if (f.endsWith(join("repository", "stands-alone.test.ts"))) continue;
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (OUTSIDE.test(line)) offenders.push(`${relative(REPO_ROOT, f)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  assert.deepEqual(offenders, []);
});

test("README and docs link only to files that exist inside the repository", () => {
  const pages = [join(REPO_ROOT, "README.md"), ...files(join(REPO_ROOT, "docs"), (n) => n.endsWith(".md"))];
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(page, "utf8");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split("#")[0];
      if (target === "" || /^[a-z]+:/.test(target)) {
        if (/^[a-z]+:/.test(target)) problems.push(`${relative(REPO_ROOT, page)}: external link ${m[1]}`);
        continue;
      }
      const abs = resolve(dirname(page), target);
      if (relative(REPO_ROOT, abs).startsWith(".."))
        problems.push(`${relative(REPO_ROOT, page)}: ${m[1]} leaves the repository`);
      else if (!existsSync(abs)) problems.push(`${relative(REPO_ROOT, page)}: ${m[1]} does not exist`);
    }
  }
  assert.deepEqual(problems, []);
});
