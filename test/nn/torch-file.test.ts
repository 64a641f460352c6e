// Reading torch.save files without Python: the state_dict() of a real module (an OrderedDict with
// _metadata, which libtorch 1.13 cannot read), views into shared storages (transposed, sliced,
// offset) and every storage dtype give exactly the tensors PyTorch holds; a pickle that would run
// code, or a file that is not a torch.save zip, is refused by name.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import { readSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { readTorchStateDict } from "../../src/nn/torch-file/read-torch-file.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-torch-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => runReference("torch_save_load.py", ["cases", dir]));

const read = (name: string) => readTorchStateDict(new Uint8Array(readFileSync(join(dir, name))), name);

for (const name of ["module", "views"]) {
  test(`${name}.pt reads as PyTorch holds it`, async () => {
    const ours = read(`${name}.pt`);
    const { tensors: truth } = await readSafetensorsFile(join(dir, `${name}.safetensors`));
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(truth).sort());
    for (const [k, t] of Object.entries(truth)) {
      assert.equal(ours[k]!.dtype, t.dtype, k);
      assert.deepEqual(ours[k]!.shape, t.shape, k);
      assert.deepEqual(
        Array.from(ours[k]!.data as ArrayLike<number | bigint>),
        Array.from(t.data as ArrayLike<number | bigint>),
        k,
      );
    }
  });
}

test("a pickle that would call os.system is refused, as is a file that is not a torch.save zip", () => {
  assert.throws(() => read("evil.pt"), /evil\.pt: .*data\.pkl: refused global posix\.system/);
  assert.throws(
    () => readTorchStateDict(new Uint8Array([0x80, 0x02, 0x7d, 0x2e]), "old.pt"),
    /old\.pt: not a zip-format torch\.save file/,
  );
});
