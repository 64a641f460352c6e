// A real headless browser for the page tests: Debian's chromium (installed by scripts/setup.sh
// --dev) driven by puppeteer-core; WebGL through SwiftShader, so niivue renders without a GPU.

import { existsSync } from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";

export const CHROMIUM = process.env.SEGVIZ_CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no browser at ${CHROMIUM}: bash scripts/setup.sh --dev installs Debian's chromium (or set SEGVIZ_CHROMIUM)`,
    );
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--ignore-gpu-blocklist",
      "--window-size=1280,1000",
    ],
    defaultViewport: { width: 1280, height: 1000, deviceScaleFactor: 1 },
  });
}
