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

/** Resolves when the stream has handed the message on (its write callback), fails if it closes. */
function writeAcknowledged(stream: Writable, message: unknown): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.reject(new Error("stream closed"));
  return new Promise<void>((resolve, reject) => {
    const onClose = () => reject(new Error("stream closed while sending"));
    stream.once("close", onClose);
    stream.write(message, (error) => {
      stream.off("close", onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * Writes the messages with at most `window` of them not yet handed on by the stream: gRPC keeps
 * a framed copy of every queued message, so a coordinator sending a model to 64 sites at once
 * would otherwise hold up to 16 of its megabyte chunks per site.
 */
export async function writeAllWindowed(
  stream: Writable,
  messages: Iterable<unknown>,
  window = 2,
): Promise<void> {
  const pending: Promise<void>[] = [];
  try {
    for (const m of messages) {
      pending.push(writeAcknowledged(stream, m));
      if (pending.length >= window) await pending.shift();
    }
    await Promise.all(pending);
  } finally {
    for (const p of pending) p.catch(() => {});
  }
}
