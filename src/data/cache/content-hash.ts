// Content hashes of source files, memoised per (path, size, mtime) so a process hashes a file once.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { DataError } from "../errors.js";

const memo = new Map<string, string>();

/** sha256 of the file's bytes, hex. */
export async function fileContentHash(path: string): Promise<string> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    throw new DataError(path, `cannot read file: ${(e as Error).message}`, { cause: e });
  }
  const identity = `${path}\0${st.size}\0${st.mtimeMs}`;
  const known = memo.get(identity);
  if (known !== undefined) return known;
  const hash = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve())
      .on("error", (e) => reject(new DataError(path, `cannot read file: ${e.message}`, { cause: e })));
  });
  const digest = hash.digest("hex");
  memo.set(identity, digest);
  return digest;
}

/** JSON with object keys sorted, so equal settings always give equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Cache key: hash of the sources' contents (by role, e.g. image/label) and the settings. */
export async function cacheKey(
  sources: Record<string, string>,
  settings: unknown,
  version: string,
): Promise<string> {
  const contents: Record<string, string> = {};
  for (const [role, path] of Object.entries(sources)) contents[role] = await fileContentHash(path);
  return createHash("sha256").update(stableJson({ version, contents, settings })).digest("hex");
}
