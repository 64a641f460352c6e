// Reading and checking the JSON header of a safetensors payload. Everything here treats the
// bytes as hostile: each claim (lengths, shapes, offsets) is checked against the real payload
// before anything is allocated from it.

import { type DtypeInfo, dtypeInfoForTag } from "./dtypes.js";
import { SafetensorsError } from "./errors.js";
import { type JsonObject, JsonSyntaxError, type JsonValue, parseStrictJson } from "./strict-json.js";

/** Headers larger than this are refused before they are decoded. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const MAX_RANK = 64;
const METADATA_KEY = "__metadata__";

interface HeaderEntry {
  name: string;
  info: DtypeInfo;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

interface ParsedHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
  /** Offset of the first data byte in the payload. */
  dataStart: number;
}

export function parseHeader(
  bytes: Uint8Array,
  source: string,
  maxHeaderBytes = MAX_HEADER_BYTES,
): ParsedHeader {
  const fail = (field: string, problem: string): never => {
    throw new SafetensorsError(source, field, problem);
  };
  if (bytes.length < 8)
    fail("header length", `payload has ${bytes.length} bytes, fewer than the 8-byte length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(maxHeaderBytes))
    fail("header length", `${claimed} bytes exceeds the cap of ${maxHeaderBytes}`);
  const headerLength = Number(claimed);
  if (headerLength > bytes.length - 8) {
    fail("header length", `${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  if (headerLength < 2) fail("header length", `${headerLength} bytes cannot hold a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    fail("header", "not valid UTF-8");
  }
  if (text[0] !== "{") fail("header", "does not start with '{'");
  let root: JsonValue = null;
  try {
    root = parseStrictJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) fail("header", `not valid JSON: ${e.message}`);
    throw e;
  }
  if (!(root instanceof Map)) fail("header", "not a JSON object");

  const metadata: Record<string, string> = Object.create(null);
  const entries: HeaderEntry[] = [];
  for (const [name, value] of root as JsonObject) {
    if (name === METADATA_KEY) {
      if (!(value instanceof Map)) fail(METADATA_KEY, "not an object of strings");
      for (const [k, v] of value as JsonObject) {
        if (typeof v !== "string") fail(`${METADATA_KEY}.${JSON.stringify(k)}`, "value is not a string");
        metadata[k] = v as string;
      }
      continue;
    }
    entries.push(parseEntry(name, value, dataLength, fail));
  }
  checkLayout(entries, dataLength, fail);
  return { entries, metadata, dataStart };
}

function parseEntry(
  name: string,
  value: JsonValue,
  dataLength: number,
  fail: (field: string, problem: string) => never,
): HeaderEntry {
  const field = `tensor ${JSON.stringify(name)}`;
  if (name.length === 0) fail(field, "empty tensor name");
  if (!(value instanceof Map)) return fail(field, "not an object");
  for (const key of value.keys()) {
    if (key !== "dtype" && key !== "shape" && key !== "data_offsets")
      fail(`${field}.${key}`, "unknown field");
  }
  const tag = value.get("dtype");
  if (typeof tag !== "string") return fail(`${field}.dtype`, "missing or not a string");
  const info = dtypeInfoForTag(tag);
  if (info === undefined)
    return fail(`${field}.dtype`, `unknown or unsupported dtype ${JSON.stringify(tag)}`);

  const shapeValue = value.get("shape");
  if (!Array.isArray(shapeValue)) return fail(`${field}.shape`, "missing or not an array");
  if (shapeValue.length > MAX_RANK) fail(`${field}.shape`, `rank ${shapeValue.length} exceeds ${MAX_RANK}`);
  const shape: number[] = [];
  // Count elements against the real payload size as we go, so no product can overflow.
  const maxCount = Math.floor(dataLength / info.itemSize);
  let count = 1;
  let zero = false;
  for (const d of shapeValue) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      fail(`${field}.shape`, `dimension ${JSON.stringify(d)} is not a non-negative integer`);
    }
    shape.push(d as number);
    if (d === 0) zero = true;
    else if (!zero) {
      count *= d as number;
      if (count > maxCount)
        fail(`${field}.shape`, `[${shapeValue.join(",")}] needs more bytes than the payload has`);
    }
  }
  if (zero) count = 0;

  const offsets = value.get("data_offsets");
  if (!Array.isArray(offsets) || offsets.length !== 2)
    return fail(`${field}.data_offsets`, "not a pair [begin, end]");
  const [begin, end] = offsets;
  for (const o of [begin, end]) {
    if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) {
      fail(`${field}.data_offsets`, `${JSON.stringify(o)} is not a non-negative integer`);
    }
  }
  const b = begin as number;
  const e = end as number;
  if (b > e) fail(`${field}.data_offsets`, `begin ${b} is after end ${e}`);
  if (e > dataLength)
    fail(`${field}.data_offsets`, `end ${e} is past the data buffer of ${dataLength} bytes`);
  if (e - b !== count * info.itemSize) {
    fail(
      `${field}.data_offsets`,
      `span ${e - b} bytes does not match shape [${shape.join(",")}] x ${info.itemSize} bytes`,
    );
  }
  return { name, info, shape, count, begin: b, end: e };
}

/** The tensors must tile the data buffer exactly: no overlaps, no holes, no trailing bytes. */
function checkLayout(
  entries: HeaderEntry[],
  dataLength: number,
  fail: (field: string, problem: string) => never,
) {
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let cursor = 0;
  for (const t of sorted) {
    const field = `tensor ${JSON.stringify(t.name)}.data_offsets`;
    if (t.begin < cursor)
      fail(field, `[${t.begin}, ${t.end}] overlaps the previous tensor (ends at ${cursor})`);
    if (t.begin > cursor) fail(field, `hole of ${t.begin - cursor} bytes before [${t.begin}, ${t.end}]`);
    cursor = t.end;
  }
  if (cursor !== dataLength)
    fail("data", `${dataLength - cursor} bytes after the last tensor are not described`);
}
