// Seeded train/validation split, saved to a JSON file and reused from it: the same file gives the
// same split on every run and every machine, whatever order the cases were listed in.

import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../../util/file-writes.js";
import { mulberry32 } from "../../util/mulberry32.js";
import { DataError } from "../errors.js";
import type { Case } from "./case.js";

/** A case left out of training, with why; `from` is the side the split had put it on. */
export interface SkippedCase {
  id: string;
  file: string;
  reason: string;
  /** Where the case was found bad: listing its files, or reading and preprocessing them. */
  stage: "listing" | "preprocessing";
  from?: "train" | "validation";
}

export interface SplitFile {
  seed: number;
  validationFraction: number;
  train: string[];
  validation: string[];
  /** Cases left out on the last run: listed here instead of in train or validation. */
  skipped?: SkippedCase[];
}

interface SplitOptions {
  /** Where the split is saved; if it exists it is reused. */
  file: string;
  seed: number;
  /** Share of cases for validation, 0..1 (rounded; at least one each side when there are two or more cases). */
  validationFraction: number;
  /** Cases left out this run: the file lists them under `skipped` instead of on their side. */
  skipped?: readonly SkippedCase[];
}

interface SplitResult {
  train: Case[];
  validation: Case[];
  /** True when the split came from an existing file. */
  reused: boolean;
  /** Ids in the file that are not among the cases now (e.g. bad cases skipped this time). */
  missing: string[];
}

/** Deterministic split of ids (sorted first, so listing order does not matter). */
export function splitIds(ids: readonly string[], seed: number, validationFraction: number): SplitFile {
  if (!(validationFraction >= 0 && validationFraction <= 1)) {
    throw new Error(`validationFraction ${validationFraction} is not in 0..1`);
  }
  const order = [...ids].sort();
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let count = Math.round(order.length * validationFraction);
  if (order.length >= 2 && validationFraction > 0 && validationFraction < 1) {
    count = Math.min(order.length - 1, Math.max(1, count));
  }
  return {
    seed,
    validationFraction,
    train: order.slice(count).sort(),
    validation: order.slice(0, count).sort(),
  };
}

async function readSplitFile(path: string): Promise<SplitFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DataError(path, `cannot read split file: ${(err as Error).message}`, { cause: err });
  }
  let json: SplitFile;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(path, `invalid JSON in split file: ${(err as Error).message}`, { cause: err });
  }
  const isIds = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === "string");
  if (!isIds(json?.train) || !isIds(json?.validation)) {
    throw new DataError(path, 'split file needs "train" and "validation" lists of case ids');
  }
  return json;
}

async function writeSplitFile(path: string, split: SplitFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(split, null, 2)}\n`);
}

export async function splitCases(cases: readonly Case[], opts: SplitOptions): Promise<SplitResult> {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const saved = await readSplitFile(opts.file);
  // A case skipped last time keeps the side it was split to, so fixing its file restores it.
  const split =
    saved === undefined ? splitIds([...byId.keys()], opts.seed, opts.validationFraction) : assigned(saved);
  if (saved) {
    const listed = new Set([...split.train, ...split.validation]);
    const unknown = [...byId.keys()].filter((id) => !listed.has(id));
    if (unknown.length > 0) {
      const before = saved.skipped?.find((c) => c.id === unknown[0]);
      const why = before === undefined ? "" : ` (it was skipped before the split was made: ${before.reason})`;
      throw new DataError(
        opts.file,
        `${unknown.length} case(s) are not in this split (first: ${unknown[0]}${why}); delete the file to split anew`,
      );
    }
  }
  // Written once: when new, or when what was skipped changed (a hand-edited file stays as it is).
  const file = withSkipped(split, opts.skipped ?? []);
  if (saved === undefined || JSON.stringify(saved.skipped ?? []) !== JSON.stringify(file.skipped))
    await writeSplitFile(opts.file, file);
  const pick = (ids: string[]) => ids.flatMap((id) => byId.get(id) ?? []);
  return {
    train: pick(split.train),
    validation: pick(split.validation),
    reused: saved !== undefined,
    missing: [...split.train, ...split.validation].filter((id) => !byId.has(id)),
  };
}

/** The saved split with last run's skipped cases back on the side they were split to. */
function assigned(saved: SplitFile): SplitFile {
  const back = (side: "train" | "validation") =>
    [...saved[side], ...(saved.skipped ?? []).filter((s) => s.from === side).map((s) => s.id)].sort();
  return {
    seed: saved.seed,
    validationFraction: saved.validationFraction,
    train: back("train"),
    validation: back("validation"),
  };
}

/** The split as saved: skipped cases moved out of train and validation, each with the side it was on. */
function withSkipped(split: SplitFile, skipped: readonly SkippedCase[]): SplitFile {
  const out = new Set(skipped.map((s) => s.id));
  const side = (id: string) =>
    split.train.includes(id) ? "train" : split.validation.includes(id) ? "validation" : undefined;
  return {
    seed: split.seed,
    validationFraction: split.validationFraction,
    train: split.train.filter((id) => !out.has(id)),
    validation: split.validation.filter((id) => !out.has(id)),
    skipped: skipped.map((s) => {
      const from = side(s.id);
      return from === undefined ? { ...s } : { ...s, from };
    }),
  };
}
