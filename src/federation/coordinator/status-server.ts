// A small read-only HTTP/JSON endpoint with the coordinator's current state, for tools and the
// dashboard. It listens on loopback unless told otherwise and serves GET /status only.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function startStatusServer(
  host: string,
  port: number,
  snapshot: () => unknown,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url !== "/status" && req.url !== "/")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not found; try GET /status" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(snapshot()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
