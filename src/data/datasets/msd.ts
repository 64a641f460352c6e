// Medical Segmentation Decathlon layout: dataset.json lists "training" pairs {image, label}, with
// paths like "./imagesTr/liver_0.nii.gz" relative to the task folder.

import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DataError } from "../errors.js";
import type { BadCase, Case, CaseList } from "./case.js";
import { checkCases, type ListOptions } from "./check-cases.js";
import { niftiStem } from "./files.js";

async function readTrainingList(datasetJson: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(datasetJson, "utf8");
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    const reason = missing
      ? "file not found (not an MSD task folder?)"
      : `cannot read: ${(err as Error).message}`;
    throw new DataError(datasetJson, reason, { cause: err });
  }
  let json: { training?: unknown };
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataError(datasetJson, `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(json?.training)) throw new DataError(datasetJson, 'no "training" list');
  return json.training;
}

export async function listMsdCases(root: string, opts: ListOptions = {}): Promise<CaseList> {
  const datasetJson = join(root, "dataset.json");
  const entries = await readTrainingList(datasetJson);
  const candidates: Case[] = [];
  const found: BadCase[] = [];
  entries.forEach((entry, i) => {
    const { image, label } = (entry ?? {}) as { image?: unknown; label?: unknown };
    if (typeof image !== "string" || (label !== undefined && typeof label !== "string")) {
      found.push({ id: `training[${i}]`, file: datasetJson, reason: `training[${i}] needs an "image" path` });
      return;
    }
    const imagePath = resolve(root, image);
    const labelPath = typeof label === "string" ? resolve(root, label) : undefined;
    candidates.push({ id: niftiStem(imagePath), imagePath, ...(labelPath ? { labelPath } : {}) });
  });
  return checkCases(candidates, found, opts);
}
