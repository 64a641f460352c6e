// The CPU a measurement ran on, as a benchmark table should name it: model, logical CPUs and
// the vector extensions libtorch's CPU kernels choose between (oneDNN takes its bf16 path only
// with AVX-512 BF16 or AMX, and reductions differ in the last bit between AVX2 and AVX-512).

import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** The extensions worth naming, in the order they are printed. */
const NAMED_EXTENSIONS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16"] as const;

/** Which of the named extensions a /proc/cpuinfo text lists in its (first) flags line. */
export function vectorExtensions(cpuinfo: string): string[] {
  const line = cpuinfo.split("\n").find((l) => /^flags\s*:/.test(l));
  if (line === undefined) return [];
  const flags = new Set(
    line
      .slice(line.indexOf(":") + 1)
      .trim()
      .split(/\s+/),
  );
  return NAMED_EXTENSIONS.filter((f) => flags.has(f));
}

/** E.g. "AMD EPYC, 2 logical CPUs, avx2 fma"; the extensions are left out where /proc is not. */
export function cpuDescription(): string {
  const list = cpus();
  let extensions: string[] | undefined;
  try {
    extensions = vectorExtensions(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    // Not Linux: the model and count alone.
  }
  const model = list[0]?.model.trim() || "unknown CPU";
  const ext = extensions === undefined ? "" : `, ${extensions.length > 0 ? extensions.join(" ") : "no AVX2"}`;
  return `${model}, ${list.length} logical CPUs${ext}`;
}
