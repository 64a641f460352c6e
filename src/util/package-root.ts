// The folder of the package a module belongs to: the nearest one above it (source or compiled)
// that holds a package.json.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRootOf(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`segviz: no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
  return dir;
}

/** Where node-gyp puts one of this package's addons (native/build/Release/NAME.node). */
export function builtAddonPath(name: string): string {
  return join(packageRootOf(import.meta.url), "native", "build", "Release", `${name}.node`);
}
