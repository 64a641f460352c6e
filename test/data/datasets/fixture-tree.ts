// Builds small data set folders under the system temp folder for the data set tests.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeNifti, type WriteNiftiOptions } from "../../../src/data/nifti/index.js";
import type { Affine, Volume } from "../../../src/data/volume.js";

export const EYE: Affine = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `segviz-${prefix}-`));
}

/** Writes `files` (relative path -> content) under `root`, creating folders. */
export function makeTree(root: string, files: Record<string, Uint8Array | string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** A .nii.gz file's bytes for a small volume. */
export function niftiGz(volume: Volume, opts: WriteNiftiOptions = {}): Uint8Array {
  return gzipSync(encodeNifti(volume, opts));
}

export function labelVolume(values: number[], shape = [2, 2, 2], affine = EYE): Volume {
  return { shape, dtype: "uint8", data: Uint8Array.from(values), affine };
}

export function imageVolume(values: number[], shape = [2, 2, 2], affine = EYE): Volume {
  return { shape, dtype: "int16", data: Int16Array.from(values), affine };
}
