// Writes to a gRPC stream with backpressure: large payloads are queued no faster than the peer
// reads them, and a stream that closes while we wait fails the write instead of hanging.

import type { Writable } from "node:stream";

export async function writeWithBackpressure(stream: Writable, message: unknown): Promise<void> {
  if (stream.destroyed || stream.writableEnded) throw new Error("stream closed");
  if (stream.write(message)) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("stream closed while sending"));
    };
    stream.on("drain", onDrain);
    stream.on("close", onClose);
    stream.on("error", onClose);
  });
}
