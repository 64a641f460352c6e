// Checkpoints as safetensors: our files round-trip, PyTorch loads them into the torch UNet
// (reference/torch_nn.py) and computes the same logits, and we load a PyTorch-written one.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { manualSeed, noGrad, rand, randn, setNumThreads, type Tensor, tidy } from "../../src/engine/index.js";
import { loadStateDictFile, saveStateDict } from "../../src/nn/checkpoint.js";
import { UNet, type UNetConfig } from "../../src/nn/monai/unet.js";
import { assertTensorMatches, runJsonReference, T, type TorchResult } from "../engine/torch-ref.js";

setNumThreads(1);

const dir = mkdtempSync(join(tmpdir(), "segviz-ckpt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG: UNetConfig = {
  inChannels: 1,
  outChannels: 3,
  channels: [4, 8, 16],
  strides: [2, 2],
  numResUnits: 2,
  norm: "batch",
};

/** A UNet with random weights and non-trivial BatchNorm statistics and counters. */
function randomNet(seed: number): UNet {
  manualSeed(seed);
  const net = new UNet(CONFIG);
  noGrad(() => {
    for (const [name, b] of net.namedBuffers()) {
      if (name.endsWith("running_mean")) b.copy_(tidy(() => randn(b.shape).mul(0.1)));
      if (name.endsWith("running_var")) b.copy_(tidy(() => rand(b.shape).add(0.5)));
      if (name.endsWith("num_batches_tracked")) b.fill_(5);
    }
  });
  return net;
}

describe("checkpoints", () => {
  manualSeed(99);
  const x = randn([1, 1, 8, 8, 8]);
  const ours = randomNet(1);
  const oursPath = join(dir, "ours.safetensors");
  const torchPath = join(dir, "torch.safetensors");
  let refs: [
    { logits: TorchResult; dtypes: Record<string, string>; metadata: Record<string, string> },
    { logits: TorchResult },
  ];
  before(async () => {
    await saveStateDict(oursPath, ours.stateDict(), { epoch: "3" });
    refs = runJsonReference("torch_nn.py", [
      { kind: "load_ours", path: oursPath, config: CONFIG, x: T(x) },
      { kind: "write_torch", path: torchPath, config: CONFIG, seed: 0, x: T(x) },
    ]);
  });

  test("saveStateDict / loadStateDictFile round trip: names, dtypes, shapes, values, metadata", async () => {
    const { tensors, metadata } = await loadStateDictFile(oursPath);
    const sd = ours.stateDict();
    assert.deepEqual([...tensors.keys()].sort(), [...sd.keys()].sort());
    for (const [k, t] of sd) {
      const back = tensors.get(k)!;
      assert.equal(back.dtype, t.dtype, k);
      assert.deepEqual(back.shape, t.shape, k);
      assert.deepEqual(back.toList(), t.toList(), k);
    }
    assert.equal(tensors.get("model.0.conv.unit0.adn.N.num_batches_tracked")!.dtype, "int64");
    assert.equal(tensors.get("model.0.conv.unit0.adn.N.num_batches_tracked")!.item(), 5);
    assert.equal(metadata.epoch, "3");
    assert.equal(metadata.format, "pt");
    // Loading the file into a differently initialised net reproduces the original's outputs.
    const other = randomNet(2).eval();
    other.loadStateDict(tensors);
    ours.eval();
    tidy(() =>
      assert.deepEqual(noGrad(() => other.forward(x)).toList(), noGrad(() => ours.forward(x)).toList()),
    );
    for (const t of tensors.values()) t.dispose();
    other.dispose();
  });

  test("PyTorch loads our file (strict) and computes the same eval-mode logits", () => {
    const ref = refs[0];
    assert.ok(!("error" in ref), JSON.stringify(ref));
    assert.equal(ref.dtypes["model.0.conv.unit0.adn.N.num_batches_tracked"], "int64");
    assert.equal(ref.dtypes["model.0.conv.unit0.conv.weight"], "float32");
    assert.equal(ref.metadata.epoch, "3");
    ours.eval();
    tidy(() =>
      assertTensorMatches(
        "logits",
        noGrad(() => ours.forward(x)),
        ref.logits,
        1e-4,
      ),
    );
  });

  test("we load a PyTorch-written file (strict) and compute the same eval-mode logits", async () => {
    const ref = refs[1];
    assert.ok(!("error" in ref), JSON.stringify(ref));
    const { tensors, metadata } = await loadStateDictFile(torchPath);
    assert.match(metadata.written_by ?? "", /^torch /);
    const net = randomNet(3).eval();
    net.loadStateDict(tensors);
    assert.equal(
      net.stateDict().get("model.1.submodule.1.submodule.conv.unit1.adn.N.num_batches_tracked")!.item(),
      17,
    );
    tidy(() =>
      assertTensorMatches(
        "logits",
        noGrad(() => net.forward(x)),
        ref.logits,
        1e-4,
      ),
    );
    for (const t of tensors.values()) t.dispose();
    net.dispose();
  });

  test("a file of another architecture is refused with the offending keys named", async () => {
    const { tensors } = await loadStateDictFile(oursPath);
    const net = new UNet({ ...CONFIG, numResUnits: 0 });
    assert.throws(
      () => net.loadStateDict(tensors),
      (e: unknown) =>
        e instanceof Error &&
        /missing keys: model\.0\.conv\.weight, /.test(e.message) &&
        /unexpected keys: .*model\.0\.conv\.unit0\.conv\.weight/.test(e.message),
    );
    for (const t of tensors.values()) t.dispose();
    net.dispose();
  });

  after(() => {
    ours.dispose();
    (x as Tensor).dispose();
  });
});
