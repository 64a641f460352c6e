#!/usr/bin/env node
// The layer rule (docs/architecture.md), checked on every relative import under src/:
//   1. dependencies point downwards: cli > experiments > federation > training > data > nn > engine > util;
//   2. from outside src/federation, the federation is imported only through src/federation/index.ts;
//   3. nothing under src/ imports outside it, except the CLI's `segviz bench` (bench/);
//   4. the federation's core moves named tensors and knows nothing of training: only its adapter to
//      the training layer (src/federation/unet-site) imports src/training.
// Usage: node scripts/check-layers.mjs [repository root]; exits 1 and lists every violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const LAYERS = ["util", "engine", "nn", "data", "training", "federation", "experiments", "cli"];
const FEDERATION_ADAPTER = "federation/unet-site";
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Every violation of the rule under root/src, as "file: message" lines. */
export function checkLayers(root) {
  const src = join(root, "src");
  const violations = [];
  for (const file of sourceFiles(src)) {
    const from = relative(src, file).split(sep).join("/");
    const fromLayer = from.split("/")[0];
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      const target = relative(src, normalize(join(dirname(file), spec)))
        .split(sep)
        .join("/");
      // `segviz bench` runs the repository's benchmarks; nothing else reaches outside src/.
      if (fromLayer === "cli" && target.startsWith("../bench/")) continue;
      if (target.startsWith("..")) {
        violations.push(`src/${from}: imports ${spec}, outside src/`);
        continue;
      }
      const toLayer = target.split("/")[0];
      const rankFrom = LAYERS.indexOf(fromLayer);
      const rankTo = LAYERS.indexOf(toLayer);
      if (rankFrom >= 0 && rankTo > rankFrom)
        violations.push(`src/${from}: ${fromLayer} imports ${toLayer} (${spec}), a layer above it`);
      if (fromLayer !== "federation" && toLayer === "federation" && target !== "federation/index.js")
        violations.push(
          `src/${from}: imports ${spec}; outside the federation, import src/federation/index.js`,
        );
      if (fromLayer === "federation" && !from.startsWith(`${FEDERATION_ADAPTER}/`) && toLayer === "training")
        violations.push(
          `src/${from}: the federation's core imports ${spec}; only ${FEDERATION_ADAPTER} may use the training layer`,
        );
    }
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
  const violations = checkLayers(root);
  for (const v of violations) console.error(v);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} import(s) break the layer rule (docs/architecture.md)`);
    process.exit(1);
  }
  console.log("check-layers: every import under src/ follows the layer rule");
}
