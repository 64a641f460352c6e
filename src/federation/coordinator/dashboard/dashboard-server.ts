// The coordinator's read-only HTTP side: the federation dashboard (/), its live feed (/events,
// server-sent events), the JSON status (/status, /api/activity) and Prometheus metrics
// (/metrics). Loopback unless configured; an optional bearer token; HTTPS with the coordinator's
// own certificate when it has one.

import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { authorize, eventStream } from "../../../util/http-auth.js";
import { webAsset } from "../../../util/web-assets.js";
import type { FederationActivity } from "./federation-activity.js";
import { prometheusMetrics } from "./prometheus-metrics.js";

export interface DashboardOptions {
  host: string;
  port: number;
  token?: string;
  tls?: { certFile: string; keyFile: string };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SegViz federation</title></head>
<body><div id="app">Loading the federation dashboard…</div><script type="module" src="/dashboard.js"></script></body></html>
`;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export async function startDashboardServer(
  o: DashboardOptions,
  activity: FederationActivity,
): Promise<{ server: Server; port: number }> {
  const bundle = webAsset("dashboard.js");
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    if (req.method !== "GET") {
      json(res, 405, { error: "read-only: GET only" });
      return;
    }
    if (!authorize(req, res, url, o.token, o.tls !== undefined)) return;
    switch (url.pathname) {
      case "/favicon.ico":
        res.writeHead(204).end();
        return;
      case "/":
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(PAGE);
        return;
      case "/dashboard.js":
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
        res.end(bundle);
        return;
      case "/status":
        json(res, 200, activity.snapshot().status);
        return;
      case "/api/activity":
        json(res, 200, activity.snapshot());
        return;
      case "/metrics":
        res.writeHead(200, {
          "content-type": "text/plain; version=0.0.4; charset=utf-8",
          "cache-control": "no-store",
        });
        res.end(prometheusMetrics(activity));
        return;
      case "/events": {
        let unsubscribe = () => {};
        const send = eventStream(req, res, () => unsubscribe());
        send("snapshot", activity.snapshot());
        unsubscribe = activity.subscribe((e) => send(e.type, e));
        return;
      }
      default:
        json(res, 404, { error: "not found; try /, /status, /events or /metrics" });
    }
  };
  const server =
    o.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ cert: readFileSync(o.tls.certFile), key: readFileSync(o.tls.keyFile) }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
