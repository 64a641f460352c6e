#!/usr/bin/env node
// Bundles the browser pages (web/) with esbuild into dist/web/: the federation dashboard and the
// study viewer (with niivue), self-contained so they work offline and load nothing from a CDN.
import { build } from "esbuild";

const pages = ["dashboard", "viewer"];
await Promise.all(
  pages.map((page) =>
    build({
      entryPoints: [`web/${page}/main.ts`],
      outfile: `dist/web/${page}.js`,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      sourcemap: false,
      logLevel: "warning",
    }),
  ),
);
console.log(`web: built ${pages.map((p) => `dist/web/${p}.js`).join(", ")}`);
