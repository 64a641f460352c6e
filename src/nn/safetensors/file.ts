// Reading and writing .safetensors files. Writes go to a temporary name and are renamed, so a
// reader (or a process killed mid-write) never sees half a file.

import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../util/file-writes.js";
import type { NamedTensorData } from "./dtypes.js";
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors } from "./format.js";

export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, NamedTensorData>,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata, path);
  await writeFileAtomic(path, bytes);
}

export async function readSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  const bytes = await readFile(path);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
