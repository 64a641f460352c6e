// Byte order: the host's, and swapping each element of a byte buffer between little and big
// endian. TypedArrays use the host's order; safetensors stores little-endian bytes and a NIfTI
// file either order, so both readers and writers swap when the host differs.

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each itemSize-wide element, in place. */
export function swapBytesInPlace(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
