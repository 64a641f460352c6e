// What we write in PyTorch's own format (libtorch's pickler) torch.load reads: a dict with every
// name, dtype, shape and value intact.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import { Tensor, torchSaveStateDict } from "../../src/engine/index.js";
import { readSafetensorsFile } from "../../src/nn/safetensors/index.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-torch-pickle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("torch.load reads what we save: a dict with every name, dtype, shape and value", async () => {
  const pt = join(dir, "ours.pt");
  const ours = new Map<string, Tensor>([
    [
      "model.0.conv.weight",
      Tensor.fromArray(
        Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1),
        [2, 3, 2, 2],
      ),
    ],
    ["model.1.adn.N.num_batches_tracked", Tensor.fromArray(new BigInt64Array([42n]), [], { dtype: "int64" })],
    ["model.2.bias", Tensor.fromArray(new Float64Array([Math.PI, -0]), [2], { dtype: "float64" })],
  ]);
  writeFileSync(pt, torchSaveStateDict(ours));
  runReference("torch_save_load.py", ["load", pt, join(dir, "loaded.safetensors")]);
  const { tensors, metadata } = await readSafetensorsFile(join(dir, "loaded.safetensors"));
  assert.equal(metadata?.type, "dict");
  assert.deepEqual(Object.keys(tensors).sort(), [...ours.keys()].sort());
  for (const [name, t] of ours) {
    assert.equal(tensors[name]!.dtype, t.dtype, name);
    assert.deepEqual(tensors[name]!.shape, t.shape, name);
    assert.deepEqual(
      Array.from(tensors[name]!.data as ArrayLike<number | bigint>),
      Array.from(t.toArray() as ArrayLike<number | bigint>),
      name,
    );
  }
});
