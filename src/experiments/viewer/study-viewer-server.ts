// `segviz view` and `segviz demo --serve`: a local page with a study's tables and, per test case,
// the CT with the ground truth and every arm's prediction as toggleable overlays (niivue, bundled).
// While a study runs, the same page shows its progress live (server-sent events) and picks up the
// results once report.json is written. Serves only the study's own files and the test images
// its cases.json names; loopback unless told otherwise.

import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { eventStream } from "../../util/http-auth.js";
import { onProgress } from "../../util/progress.js";
import { webAsset } from "../../util/web-assets.js";
import { GROUND_TRUTH } from "../evaluation/external-test.js";
import type { StudyReport } from "../report/report-types.js";
import { studyViewModel } from "./study-view-model.js";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SegViz study viewer</title></head>
<body><div id="app">Loading the study viewer…</div><script type="module" src="/viewer.js"></script></body></html>
`;

const SAFE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function readReport(dir: string): StudyReport | undefined {
  const file = join(dir, "report.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as StudyReport;
}

function readCases(dir: string): { id: string; image: string }[] {
  const file = join(dir, "predictions", "cases.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { id: string; image: string }[]) : [];
}

export interface StudyViewer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startStudyViewer(
  dir: string,
  o: { host?: string; port?: number } = {},
): Promise<StudyViewer> {
  const bundle = webAsset("viewer.js");
  const recent: Record<string, unknown>[] = [];
  const listeners = new Set<(fields: Record<string, unknown>) => void>();
  const stopTap = onProgress((fields) => {
    recent.push(fields);
    if (recent.length > 50) recent.shift();
    for (const l of listeners) l(fields);
  });
  const sendFile = (res: ServerResponse, file: string) => {
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://viewer");
    const parts = url.pathname.split("/").filter((p) => p !== "");
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (parts.length === 0) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PAGE);
    } else if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
    } else if (url.pathname === "/viewer.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(bundle);
    } else if (url.pathname === "/report.html") {
      const file = join(dir, "report.html");
      if (!existsSync(file)) res.writeHead(404).end("no report yet\n");
      else {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(readFileSync(file));
      }
    } else if (url.pathname === "/api/study") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(studyViewModel(readReport(dir), readCases(dir), recent)));
    } else if (url.pathname === "/events") {
      const send = eventStream(req, res, () => listeners.delete(listener));
      const listener = (fields: Record<string, unknown>) => send("progress", fields);
      listeners.add(listener);
    } else if (
      parts[0] === "case" &&
      parts.length === 3 &&
      SAFE.test(parts[1]) &&
      parts[2].endsWith(".nii.gz")
    ) {
      // /case/<id>/image.nii.gz, /case/<id>/truth.nii.gz, /case/<id>/<arm>.nii.gz
      const id = parts[1];
      const what = parts[2].slice(0, -".nii.gz".length);
      const c = readCases(dir).find((x) => x.id === id);
      const arms = readReport(dir)?.arms.map((a) => a.name) ?? [];
      if (c === undefined) res.writeHead(404).end("unknown case\n");
      else if (what === "image") sendFile(res, c.image);
      else if (what === "truth") sendFile(res, join(dir, "predictions", GROUND_TRUTH, `${id}.nii.gz`));
      else if (SAFE.test(what) && arms.includes(what))
        sendFile(res, join(dir, "predictions", what, `${id}.nii.gz`));
      else res.writeHead(404).end("unknown layer\n");
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    }
  };
  const server = createServer(handler);
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        stopTap();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
