// Runs the PyTorch reference scripts in reference/ with Debian's python3 (where python3-torch lives).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Debian's interpreter, not a pyenv/venv one that lacks python3-torch; override with SEGVIZ_PYTHON. */
export const REFERENCE_PYTHON = process.env.SEGVIZ_PYTHON ?? "/usr/bin/python3";

export function referenceScript(name: string): string {
  // dist/bench/x.js or bench/x.ts -> <root>/reference/name
  let dir = dirname(fileURLToPath(import.meta.url));
  if (dir.endsWith(join("dist", "bench"))) dir = dirname(dirname(dir));
  else dir = dirname(dir);
  return join(dir, "reference", name);
}

export function runReference(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  /** Text for the script's standard input. */
  input?: string,
): string {
  const r = spawnSync(REFERENCE_PYTHON, [referenceScript(script), ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (r.error) throw new Error(`reference ${script}: cannot run ${REFERENCE_PYTHON}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`reference ${script} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

const found = new Map<string, string | null>();

/**
 * The first of $SEGVIZ_PYTHON, Debian's /usr/bin/python3 and python3 on PATH that can import
 * `module` (a pyenv shim on PATH may hide Debian's packages), or null.
 */
export function findPythonWith(module: string): string | null {
  const known = found.get(module);
  if (known !== undefined) return known;
  const candidates = [process.env.SEGVIZ_PYTHON, "/usr/bin/python3", "python3"].filter(
    (c): c is string => typeof c === "string" && c.length > 0,
  );
  let result: string | null = null;
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore", timeout: 60_000 });
    if (r.status === 0) {
      result = python;
      break;
    }
  }
  found.set(module, result);
  return result;
}
