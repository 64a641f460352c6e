// Which program made a result: the package's name and version, and the git commit of the checkout
// it runs from when there is one (with whether tracked files differ from that commit).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRootOf } from "./package-root.js";

export interface ProgramVersion {
  name: string;
  version: string;
  /** null when not run from a git checkout (or git is not installed). */
  commit: string | null;
  /** Tracked files changed since the commit; null when unknown. */
  modified: boolean | null;
}

function git(root: string, args: string[]): string | null {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

let known: ProgramVersion | undefined;

export function programVersion(): ProgramVersion {
  if (known !== undefined) return known;
  const root = packageRootOf(import.meta.url);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  const checkout = existsSync(join(root, ".git"));
  const commit = checkout ? git(root, ["rev-parse", "HEAD"]) : null;
  const status = commit === null ? null : git(root, ["status", "--porcelain", "--untracked-files=no"]);
  known = {
    name: pkg.name,
    version: pkg.version,
    commit,
    modified: status === null ? null : status.length > 0,
  };
  return known;
}
