// Gets the (decompressed) bytes of a .nii or .nii.gz file. Compression is recognised by the gzip
// magic, not the file name, since misnamed files are common. Every failure becomes a DataError
// that names the file.

import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { createGunzip, gunzip } from "node:zlib";
import { DataError } from "../errors.js";

const gunzipAsync = promisify(gunzip);

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function fileError(path: string, err: unknown): DataError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return new DataError(path, "file not found", { cause: err });
  if (e.code === "EISDIR") return new DataError(path, "is a folder, not a file", { cause: err });
  return new DataError(path, `cannot read file: ${e.message}`, { cause: err });
}

function gzipError(path: string, err: unknown): DataError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "Z_BUF_ERROR" || /unexpected end/i.test(e.message)) {
    return new DataError(path, "truncated gzip stream (unexpected end of file)", { cause: err });
  }
  return new DataError(path, `corrupt gzip stream (${e.message})`, { cause: err });
}

/** The whole file, decompressed when it is gzip. */
export async function readDecompressed(path: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw fileError(path, err);
  }
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (err) {
    throw gzipError(path, err);
  }
}

/** The first `length` decompressed bytes (fewer when the file is shorter), without inflating the rest. */
export async function readDecompressedPrefix(path: string, length: number): Promise<Uint8Array> {
  const magic = Buffer.alloc(2);
  let head: Buffer;
  try {
    const fh = await open(path, "r");
    try {
      const first = await fh.read(magic, 0, 2, 0);
      if (!isGzip(magic.subarray(0, first.bytesRead))) {
        head = Buffer.alloc(length);
        const { bytesRead } = await fh.read(head, 0, length, 0);
        return head.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw fileError(path, err);
  }
  return inflatePrefix(path, length);
}

function inflatePrefix(path: string, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let done = false;
    const source = createReadStream(path);
    const inflate = createGunzip();
    const finish = (err?: DataError) => {
      if (done) return;
      done = true;
      source.destroy();
      inflate.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, have).subarray(0, length));
    };
    source.on("error", (err) => finish(fileError(path, err)));
    inflate.on("error", (err) => finish(gzipError(path, err)));
    inflate.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= length) finish();
    });
    inflate.on("end", () => finish());
    source.pipe(inflate);
  });
}
