// Read-only pages behind an optional bearer token: the Authorization header, or a cookie set when
// the page is opened once with ?token=... (browsers cannot put headers on EventSource requests).
// Compared in constant time over SHA-256 digests, so neither length nor prefix leaks.

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const COOKIE = "segviz_token";

const digest = (s: string) => createHash("sha256").update(s).digest();

function presented(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null) return fromQuery;
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/**
 * True when the request may proceed. Without a configured token everything may. A good token in
 * the query is moved into an HttpOnly cookie by a redirect to the same path without it.
 */
export function authorize(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  token: string | undefined,
  secure: boolean,
): boolean {
  if (token === undefined) return true;
  const given = presented(req, url);
  if (given === undefined || !timingSafeEqual(digest(given), digest(token))) {
    res.writeHead(401, {
      "content-type": "text/plain; charset=utf-8",
      "www-authenticate": 'Bearer realm="segviz"',
    });
    res.end(
      "401: a bearer token is required (Authorization: Bearer <token>, or open the page once with ?token=<token>)\n",
    );
    return false;
  }
  if (url.searchParams.has("token") && req.method === "GET") {
    url.searchParams.delete("token");
    res.writeHead(303, {
      location: `${url.pathname}${url.search}`,
      "set-cookie": `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure ? "; Secure" : ""}`,
    });
    res.end();
    return false;
  }
  return true;
}

/** Starts a server-sent event stream; returns a function that sends one event. */
export function eventStream(
  req: IncomingMessage,
  res: ServerResponse,
  onClose: () => void,
): (event: string, data: unknown) => void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
  });
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  req.on("close", () => {
    clearInterval(keepAlive);
    onClose();
  });
  return (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
