// The layer rule holds on the source tree, and the check really fails on a wrong-way import.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../fixtures/index.js";

// The script the lint step runs (plain JavaScript, not compiled into dist/).
const { checkLayers: check } = (await import(
  pathToFileURL(join(REPO_ROOT, "scripts/check-layers.mjs")).href
)) as {
  checkLayers: (root: string) => string[];
};
const scratch = mkdtempSync(join(tmpdir(), "segviz-layers-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

test("every import under src/ follows the layer rule", () => {
  assert.deepEqual(check(REPO_ROOT), []);
});

test("a wrong-way import, a reach into the federation's insides and a core federation file using training all fail", () => {
  cpSync(join(REPO_ROOT, "src"), join(scratch, "src"), { recursive: true });
  writeFileSync(
    join(scratch, "src/engine/wrong-way.ts"),
    'import { runStudy } from "../experiments/run-study.js";\n',
  );
  writeFileSync(
    join(scratch, "src/experiments/inside.ts"),
    'export { simulate } from "../federation/simulation/simulate.js";\n',
  );
  writeFileSync(
    join(scratch, "src/federation/weights/knows-training.ts"),
    'import { Trainer } from "../../training/trainer/trainer.js";\n',
  );
  const violations = check(scratch);
  assert.equal(violations.length, 3, violations.join("\n"));
  assert.match(violations.join("\n"), /src\/engine\/wrong-way\.ts: engine imports experiments/);
  assert.match(violations.join("\n"), /src\/experiments\/inside\.ts: .*import src\/federation\/index\.js/);
  assert.match(violations.join("\n"), /src\/federation\/weights\/knows-training\.ts: the federation's core/);
});
