// Reading and writing .safetensors files. Writes go to a temporary name and are renamed, so a
// reader (or a process killed mid-write) never sees half a file.

import { readFile, rename, writeFile } from "node:fs/promises";
import type { NamedTensorData } from "./dtypes.js";
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors } from "./format.js";

export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, NamedTensorData>,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata, path);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export async function readSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  const bytes = await readFile(path);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
