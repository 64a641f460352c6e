// Where a large output's zeroed bytes come from: a new buffer by default, or one made ready ahead
// of time (SpareBuffer.take) so that its pages are not faulted in while someone waits.
export type ByteAllocator = (bytes: number) => Uint8Array;

export const newZeroedBytes: ByteAllocator = (bytes) => new Uint8Array(bytes);
