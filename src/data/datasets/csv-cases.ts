// A CSV list of cases: columns image, label (optional) and id (optional), with or without a header
// row naming them. Relative paths are relative to the CSV file's folder.

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { DataError } from "../errors.js";
import type { BadCase, Case, CaseList } from "./case.js";
import { checkCases, type ListOptions } from "./check-cases.js";
import { niftiStem } from "./files.js";

/** Rows of fields; quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export async function listCsvCases(csvPath: string, opts: ListOptions = {}): Promise<CaseList> {
  let text: string;
  try {
    text = await readFile(csvPath, "utf8");
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new DataError(csvPath, missing ? "file not found" : `cannot read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const rows = parseCsv(text)
    .map((r) => r.map((f) => f.trim()))
    .filter((r) => r.some((f) => f !== "") && !r[0].startsWith("#"));
  let columns = { image: 0, label: 1, id: 2 };
  const head = rows[0]?.map((f) => f.toLowerCase());
  if (head?.includes("image")) {
    columns = { image: head.indexOf("image"), label: head.indexOf("label"), id: head.indexOf("id") };
    rows.shift();
  }
  const base = dirname(csvPath);
  const candidates: Case[] = [];
  const found: BadCase[] = [];
  rows.forEach((row, i) => {
    const image = row[columns.image];
    if (!image) {
      found.push({ id: `row ${i + 1}`, file: csvPath, reason: `row ${i + 1} has no image path` });
      return;
    }
    const label = columns.label >= 0 ? row[columns.label] : undefined;
    const imagePath = resolve(base, image);
    const id = (columns.id >= 0 && row[columns.id]) || niftiStem(imagePath);
    candidates.push({ id, imagePath, ...(label ? { labelPath: resolve(base, label) } : {}) });
  });
  return checkCases(candidates, found, opts);
}
