// What a data set is made of: cases (an image and maybe its label file), and the cases that could
// not be used, each with the file at fault and why.

import { DataError } from "../errors.js";

export interface Case {
  id: string;
  imagePath: string;
  /** Absent for an unlabelled case (e.g. a test image). */
  labelPath?: string;
}

export interface BadCase {
  id: string;
  file: string;
  reason: string;
}

/** "skip": report the case and go on; "stop": throw on the first bad case. */
export type OnBadCase = "skip" | "stop";

/** The result of listing a data set: usable cases, and the ones found broken while listing. */
export interface CaseList {
  cases: Case[];
  bad: BadCase[];
}

export function badCaseFrom(id: string, fallbackFile: string, err: unknown): BadCase {
  if (err instanceof DataError) return { id, file: err.file, reason: err.reason };
  return { id, file: fallbackFile, reason: err instanceof Error ? err.message : String(err) };
}

/** Applies the onBadCase policy to a bad case found while listing or loading. */
export function handleBadCase(bad: BadCase, onBadCase: OnBadCase, sink: BadCase[]): void {
  if (onBadCase === "stop") throw new DataError(bad.file, `case ${bad.id}: ${bad.reason}`);
  sink.push(bad);
}
