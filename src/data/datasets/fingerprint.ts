// A data set's content fingerprint: the sha256 of every file's bytes, case by case in listing order,
// and one hash over them all. It names no path and no case, so a report can carry it: two runs
// used the same inputs exactly when their fingerprints are equal.
import { createHash } from "node:crypto";
import { fileContentHash } from "../cache/content-hash.js";
import type { CaseList } from "./case.js";

export interface DatasetFingerprint {
  /** sha256 over the per-file hashes below, in order. */
  sha256: string;
  cases: number;
  /** Cases listed but left out as unreadable (onBadCase "skip"). */
  skipped: number;
  /** Per case, in listing order: the hash of the image file and of the label file. */
  files: { image: string; label: string | null }[];
}

export async function fingerprintCases(list: CaseList): Promise<DatasetFingerprint> {
  const files: DatasetFingerprint["files"] = [];
  for (const c of list.cases)
    files.push({
      image: await fileContentHash(c.imagePath),
      label: c.labelPath === undefined ? null : await fileContentHash(c.labelPath),
    });
  const all = createHash("sha256");
  for (const f of files) all.update(`${f.image}:${f.label ?? "-"}\n`);
  return { sha256: all.digest("hex"), cases: files.length, skipped: list.bad.length, files };
}
