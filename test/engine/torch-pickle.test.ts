// State dicts in PyTorch's own format, through libtorch's pickler: what we write, torch.load reads
// (a dict, every dtype and value intact); a dict torch.save wrote, we read; the OrderedDict that
// model.state_dict() gives, which libtorch 1.13 cannot read, is refused with the way out.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import { Tensor, torchLoadStateDict, torchSaveStateDict } from "../../src/engine/index.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../src/nn/safetensors/index.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-torch-pickle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const state = () =>
  new Map<string, Tensor>([
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

test("torch.load reads what we save: a dict with every name, dtype, shape and value", async () => {
  const pt = join(dir, "ours.pt");
  const ours = state();
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

test("we read a dict torch.save wrote; an OrderedDict is refused with how to re-save it", async () => {
  const src = join(dir, "src.safetensors");
  await writeSafetensorsFile(src, {
    w: { dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
    n: { dtype: "int64", shape: [], data: new BigInt64Array([5n]) },
  });
  runReference("torch_save_load.py", ["save", src, join(dir, "dict.pt"), "dict"]);
  const loaded = torchLoadStateDict(new Uint8Array(readFileSync(join(dir, "dict.pt"))), "dict.pt");
  assert.deepEqual(Array.from(loaded.get("w")!.toArray() as Float32Array), [1, 2, 3, 4]);
  assert.deepEqual(loaded.get("w")!.shape, [2, 2]);
  assert.equal(loaded.get("n")!.toArray()[0], 5n);
  runReference("torch_save_load.py", ["save", src, join(dir, "ordered.pt"), "ordered"]);
  assert.throws(
    () => torchLoadStateDict(new Uint8Array(readFileSync(join(dir, "ordered.pt"))), "ordered.pt"),
    /ordered\.pt: an OrderedDict \(torch\.save\(model\.state_dict\(\)\)\), which this libtorch cannot read; save dict\(model\.state_dict\(\)\) or a safetensors file instead/,
  );
  assert.throws(
    () => torchLoadStateDict(new Uint8Array([1, 2, 3]), "junk.pt"),
    /junk\.pt: not a torch\.save'd dict of tensors/,
  );
});
