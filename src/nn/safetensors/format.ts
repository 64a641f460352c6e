// Encoding and decoding the safetensors format: an 8-byte little-endian header length, a JSON
// header padded with spaces to 8 bytes, then the tensors' raw little-endian bytes, contiguous,
// in sorted name order.

import { type ByteAllocator, newZeroedBytes } from "../../util/byte-allocator.js";
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from "../../util/byte-order.js";
import {
  dtypeInfo,
  elementCount,
  type NamedTensorData,
  type SafetensorsDtype,
  type TensorArray,
} from "./dtypes.js";
import { SafetensorsError } from "./errors.js";
import { MAX_HEADER_BYTES, parseHeader } from "./header.js";

export interface DecodedSafetensors {
  /** Null-prototype record: any tensor name, "__proto__" included, is an ordinary key. */
  tensors: Record<string, NamedTensorData>;
  metadata: Record<string, string>;
}

interface DecodeOptions {
  maxHeaderBytes?: number;
  /**
   * Tensors as views of `bytes` where their offsets are aligned for their dtype (a copy
   * otherwise): no copying, but the views keep the whole buffer alive and see changes to it.
   */
  views?: boolean;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkTensor(name: string, t: NamedTensorData, source: string) {
  const field = `tensor ${JSON.stringify(name)}`;
  if (name.length === 0) throw new SafetensorsError(source, field, "empty tensor name");
  if (name === "__metadata__") throw new SafetensorsError(source, field, "name is reserved for metadata");
  const info = dtypeInfo(t.dtype);
  if (info === undefined)
    throw new SafetensorsError(source, `${field}.dtype`, `unknown dtype ${String(t.dtype)}`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new SafetensorsError(source, `${field}.shape`, "not an array of non-negative integers");
  }
  if (!(t.data instanceof info.arrayClass)) {
    throw new SafetensorsError(
      source,
      `${field}.data`,
      `${t.data?.constructor?.name} does not hold ${t.dtype}`,
    );
  }
  if (t.data.length !== elementCount(t.shape)) {
    throw new SafetensorsError(
      source,
      `${field}.data`,
      `${t.data.length} elements but shape [${t.shape.join(",")}] needs ${elementCount(t.shape)}`,
    );
  }
}

/** `allocate` supplies the output's zeroed bytes (a buffer made ready ahead; default: a new one). */
export function encodeSafetensors(
  tensors: Record<string, NamedTensorData>,
  metadata?: Record<string, string>,
  source = "encode",
  allocate: ByteAllocator = newZeroedBytes,
): Uint8Array {
  const names = Object.keys(tensors).sort(compareNames);
  const parts: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const meta: string[] = [];
    for (const key of Object.keys(metadata).sort(compareNames)) {
      const v = metadata[key];
      if (typeof v !== "string") {
        throw new SafetensorsError(source, `__metadata__.${JSON.stringify(key)}`, "value is not a string");
      }
      meta.push(`${JSON.stringify(key)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${meta.join(",")}}`);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    checkTensor(name, t, source);
    const info = dtypeInfo(t.dtype)!;
    const bytes = t.data.length * info.itemSize;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${info.tag}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + bytes}]}`,
    );
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const total = 8 + headerLength + offset;
  const out = allocate(total);
  if (out.length !== total)
    throw new SafetensorsError(source, "output", `allocated ${out.length} bytes, needs ${total}`);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const { data } = tensors[name];
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(raw, at);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(out.subarray(at, at + raw.length), data.BYTES_PER_ELEMENT);
    at += raw.length;
  }
  return out;
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source = "payload",
  options: DecodeOptions = {},
): DecodedSafetensors {
  const header = parseHeader(bytes, source, options.maxHeaderBytes ?? MAX_HEADER_BYTES);
  const tensors: Record<string, NamedTensorData> = Object.create(null);
  for (const e of header.entries) {
    const at = bytes.byteOffset + header.dataStart + e.begin;
    let data: TensorArray;
    if (options.views && HOST_IS_LITTLE_ENDIAN && at % e.info.itemSize === 0)
      data = new e.info.arrayClass(bytes.buffer as ArrayBuffer, at, e.count);
    else {
      // Copy so each tensor owns an aligned buffer that does not pin the payload.
      const raw = bytes.slice(header.dataStart + e.begin, header.dataStart + e.end);
      if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(raw, e.info.itemSize);
      data = new e.info.arrayClass(raw.buffer, 0, e.count);
    }
    if (e.info.dtype === "bool") {
      const bad = (data as Uint8Array).findIndex((v) => v > 1);
      if (bad >= 0) {
        throw new SafetensorsError(
          source,
          `tensor ${JSON.stringify(e.name)}`,
          `bool element ${bad} is not 0 or 1`,
        );
      }
    }
    tensors[e.name] = { dtype: e.info.dtype as SafetensorsDtype, shape: e.shape, data } as NamedTensorData;
  }
  return { tensors, metadata: header.metadata };
}
