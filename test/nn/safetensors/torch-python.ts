// Finds a Python interpreter that can import torch (Debian's python3-torch lives under
// /usr/bin/python3, which a pyenv shim on PATH may hide). SEGVIZ_PYTHON overrides.

import { spawnSync } from "node:child_process";

let cached: string | null | undefined;

export function findTorchPython(): string | null {
  if (cached !== undefined) return cached;
  const candidates = [process.env.SEGVIZ_PYTHON, "/usr/bin/python3", "python3"].filter(
    (c): c is string => typeof c === "string" && c.length > 0,
  );
  cached = null;
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
    if (r.status === 0) {
      cached = python;
      break;
    }
  }
  return cached;
}
