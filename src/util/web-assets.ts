// The browser bundles (dist/web/*.js, built by scripts/build-web.mjs from web/) that the dashboard
// and the study viewer serve: read from the installed package, never from a CDN.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** dist/src/util/ -> dist/web/ */
const WEB_DIR = new URL("../../web/", import.meta.url);

/** The bundle's text, or an error saying how to build it. */
export function webAsset(name: string): string {
  const url = new URL(name, WEB_DIR);
  try {
    return readFileSync(url, "utf8");
  } catch (e) {
    throw new Error(
      `web bundle ${fileURLToPath(url)} is missing (${(e as Error).message}); run npm run build`,
    );
  }
}
