// File-system questions the data set listers ask, with errors that name the path.

import { readdir, stat } from "node:fs/promises";
import { basename } from "node:path";
import { DataError } from "../errors.js";

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Entry names of a folder, sorted; throws naming the folder when it is missing or not a folder. */
export async function listFolder(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(path, "folder not found", { cause: err });
    if (code === "ENOTDIR") throw new DataError(path, "is a file, not a folder", { cause: err });
    throw new DataError(path, `cannot list folder: ${(err as Error).message}`, { cause: err });
  }
}

export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

const NIFTI_NAME = /\.nii(\.gz)?$/i;

export function isNiftiName(name: string): boolean {
  // macOS resource forks ("._x.nii.gz") ship inside some MSD archives.
  return NIFTI_NAME.test(name) && !name.startsWith("._");
}

/** File name without folder and without .nii / .nii.gz. */
export function niftiStem(path: string): string {
  return basename(path).replace(NIFTI_NAME, "");
}
