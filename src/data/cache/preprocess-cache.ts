// Preprocessed cases on disk, so epochs do not redo loading and resampling. An entry is keyed by the
// sources' content hashes and the settings that made it; it is written to a temporary file and
// renamed into place (readers never see half a file), and a damaged entry is detected by its
// checksum, reported, and rebuilt.

import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { FileWriteError } from "../../util/file-writes.js";
import type { Volume } from "../volume.js";
import { cacheKey } from "./content-hash.js";
import { decodeEntry, encodeEntry } from "./entry-format.js";

/** Bumped when the preprocessing code changes what it produces for the same settings. */
const CACHE_FORMAT_VERSION = "segviz-preprocess-1";

export type CacheEvent =
  | { event: "cache_hit"; key: string; path: string }
  | { event: "cache_miss"; key: string; path: string }
  | { event: "cache_corrupt"; key: string; path: string; reason: string };

interface CacheResult {
  volumes: Record<string, Volume>;
  /** The entry file (workers can read it themselves). */
  path: string;
  hit: boolean;
}

export class PreprocessCache {
  readonly dir: string;
  private readonly onEvent: (e: CacheEvent) => void;

  constructor(dir: string, opts: { onEvent?: (e: CacheEvent) => void } = {}) {
    this.dir = dir;
    this.onEvent = opts.onEvent ?? (() => {});
  }

  entryPath(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.svzc`);
  }

  async keyFor(sources: Record<string, string>, settings: unknown): Promise<string> {
    return cacheKey(sources, settings, CACHE_FORMAT_VERSION);
  }

  /** The cached volumes for these sources and settings, building and storing them on a miss. */
  async getOrBuild(
    sources: Record<string, string>,
    settings: unknown,
    build: () => Promise<Record<string, Volume>>,
  ): Promise<CacheResult> {
    const key = await this.keyFor(sources, settings);
    const path = this.entryPath(key);
    const found = await this.read(key, path);
    if (found !== null) {
      this.onEvent({ event: "cache_hit", key, path });
      return { volumes: found, path, hit: true };
    }
    this.onEvent({ event: "cache_miss", key, path });
    const volumes = await build();
    await this.write(key, path, volumes);
    return { volumes, path, hit: false };
  }

  private async read(key: string, path: string): Promise<Record<string, Volume> | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    try {
      return decodeEntry(bytes, key);
    } catch (e) {
      this.onEvent({ event: "cache_corrupt", key, path, reason: (e as Error).message });
      await rm(path, { force: true });
      return null;
    }
  }

  private async write(key: string, path: string, volumes: Record<string, Volume>): Promise<void> {
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      const fh = await open(tmp, "w");
      try {
        for (const chunk of encodeEntry(key, volumes)) await fh.write(chunk);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new FileWriteError(path, e);
    }
  }
}

/** Reads an entry file written by PreprocessCache (as workers do); errors name the file. */
export async function readCacheEntry(path: string): Promise<Record<string, Volume>> {
  const bytes = await readFile(path);
  try {
    return decodeEntry(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
