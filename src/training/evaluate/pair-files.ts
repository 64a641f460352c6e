// Pairs prediction files with ground-truth files: by identical file name, else by the last number
// in the name (BTCV's img0001 / label0001). Unpaired files are reported, never silently dropped.
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";

function isNifti(name: string): boolean {
  return /\.nii(\.gz)?$/.test(name) && !name.startsWith(".");
}

export async function niftiFiles(pathOrDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(pathOrDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR") return [pathOrDir];
    throw new Error(`${pathOrDir}: cannot list: ${(e as Error).message}`);
  }
  const files = names
    .filter(isNifti)
    .sort()
    .map((n) => join(pathOrDir, n));
  if (files.length === 0) throw new Error(`${pathOrDir}: no .nii or .nii.gz files`);
  return files;
}

function lastNumber(path: string): string | null {
  const m = basename(path)
    .replace(/\.nii(\.gz)?$/, "")
    .match(/(\d+)(?!.*\d)/);
  return m ? String(Number(m[1])) : null;
}

interface FilePairs {
  pairs: { caseId: string; prediction: string; truth: string }[];
  unpairedPredictions: string[];
  unpairedTruths: string[];
}

export function pairFiles(predictions: readonly string[], truths: readonly string[]): FilePairs {
  const byName = new Map(truths.map((t) => [basename(t), t]));
  const byNumber = new Map<string, string>();
  for (const t of truths) {
    const n = lastNumber(t);
    if (n !== null) byNumber.set(n, byNumber.has(n) ? "" : t); // "" marks an ambiguous number
  }
  const used = new Set<string>();
  const pairs: FilePairs["pairs"] = [];
  const unpairedPredictions: string[] = [];
  for (const p of predictions) {
    let t = byName.get(basename(p));
    if (t === undefined) {
      const n = lastNumber(p);
      const candidate = n === null ? undefined : byNumber.get(n);
      if (candidate) t = candidate;
    }
    if (t === undefined || used.has(t)) unpairedPredictions.push(p);
    else {
      used.add(t);
      pairs.push({ caseId: basename(p).replace(/\.nii(\.gz)?$/, ""), prediction: p, truth: t });
    }
  }
  return { pairs, unpairedPredictions, unpairedTruths: truths.filter((t) => !used.has(t)) };
}
