// A zeroed byte buffer made ready while a process waits, for the next large payload. A fresh
// buffer's pages are faulted in by the kernel on first write, and on a virtual machine that costs
// tens of milliseconds per 20 MB (about 10 us a page here): paid while the sites train instead of
// between the last upload and the next round's weights arriving.

import { type ByteAllocator, newZeroedBytes } from "./byte-allocator.js";

export class SpareBuffer {
  private spare?: Uint8Array;

  /** Allocates and writes through a zeroed buffer of `size` bytes, unless one is already waiting. */
  prepare(size: number): void {
    if (!Number.isSafeInteger(size) || size <= 0) return;
    if (this.spare?.length === size) return;
    const buffer = new Uint8Array(size);
    // Writing zeros over calloc's zeros changes nothing but makes every page resident now.
    buffer.fill(0);
    this.spare = buffer;
  }

  /**
   * The prepared buffer if it has exactly `size` bytes (handed out once), else a fresh zeroed one.
   * Bound, so it can be handed on as an allocator.
   */
  readonly take: ByteAllocator = (size) => {
    const spare = this.spare;
    this.spare = undefined;
    return spare !== undefined && spare.length === size ? spare : newZeroedBytes(size);
  };

  /** Lets a prepared buffer go (nothing will need it). */
  release(): void {
    this.spare = undefined;
  }
}
