// Both directions against PyTorch through reference/safetensors_torch.py, which reads and
// writes the format independently (torch.frombuffer + json + struct).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { readSafetensorsFile, writeSafetensorsFile } from "../../../src/nn/safetensors/index.js";
import { type ExpectedTensor, sameValues, toExpected } from "./expected-values.js";
import { sampleTensors } from "./sample-tensors.js";
import { findTorchPython } from "./torch-python.js";

const script = resolve("reference/safetensors_torch.py");
const python = findTorchPython();
const dir = mkdtempSync(join(tmpdir(), "segviz-st-torch-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function runReference(args: string[]) {
  const r = spawnSync(python!, [script, ...args], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `reference script failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe(
  "safetensors interop with PyTorch",
  { skip: python === null ? "no python3 with torch" : false },
  () => {
    test("TypeScript writes every dtype, PyTorch reads and checks the values", async () => {
      const tensors = sampleTensors();
      const metadata = { format: "pt", writer: "segviz" };
      const file = join(dir, "from-ts.safetensors");
      await writeSafetensorsFile(file, tensors, metadata);
      const expected = {
        metadata,
        tensors: Object.fromEntries(Object.keys(tensors).map((n) => [n, toExpected(tensors[n])])),
      };
      writeFileSync(join(dir, "from-ts.json"), JSON.stringify(expected));
      assert.match(runReference(["check", file, join(dir, "from-ts.json")]), /ok checked 14 tensors/);
    });

    test("PyTorch writes every dtype, TypeScript reads and checks the values", async () => {
      const file = join(dir, "from-torch.safetensors");
      runReference(["write", file, join(dir, "from-torch.json")]);
      const expected = JSON.parse(readFileSync(join(dir, "from-torch.json"), "utf8")) as {
        metadata: Record<string, string>;
        tensors: Record<string, ExpectedTensor>;
      };
      const got = await readSafetensorsFile(file);
      assert.deepEqual({ ...got.metadata }, expected.metadata);
      assert.deepEqual(Object.keys(got.tensors).sort(), Object.keys(expected.tensors).sort());
      const tags = new Set<string>();
      for (const [name, e] of Object.entries(expected.tensors)) {
        assert.equal(sameValues(got.tensors[name], e), null, name);
        tags.add(e.dtype);
      }
      assert.deepEqual([...tags].sort(), [
        "BF16",
        "BOOL",
        "F16",
        "F32",
        "F64",
        "I16",
        "I32",
        "I64",
        "I8",
        "U8",
      ]);
    });
  },
);
