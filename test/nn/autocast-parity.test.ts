// bf16 autocast parity with PyTorch: the SegViz UNet's forward pass under our autocast gives the
// logits, Dice loss and float32 weight gradients that PyTorch's torch.autocast("cpu", bfloat16)
// gives on the same weights and input (reference/torch_unet.py, metadata precision=bf16), while
// differing from the float32 pass by bf16's rounding: the autocast really ran.
//
// Both backward passes start from one shared gradient of the logits, not from each side's Dice
// loss: bf16 rounding turns a last-bit difference in that float32 gradient into weight gradients
// up to 0.11 apart (PyTorch alone, loss scaled by 1 + 2^-22), and the two losses' gradients agreed
// to the last bit on an AVX-512 CPU but not on an AVX2 one (6e-2 apart after the backward). The
// loss is compared on its own; its float32 gradient in pytorch-parity.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import {
  autocast,
  manualSeed,
  noGrad,
  randint,
  randn,
  setNumThreads,
  type Tensor,
} from "../../src/engine/index.js";
import { loadStateDictFile, stateToData, tensorToData } from "../../src/nn/checkpoint.js";
import { DiceLoss } from "../../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../../src/nn/monai/unet.js";
import { writeSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { relativeError, toNumbers } from "../helpers/compare.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-autocast-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function flat(t: Tensor): number[] {
  return toNumbers(t.toArray() as ArrayLike<number>);
}

test("the SegViz UNet's bf16 autocast training step matches PyTorch's autocast", async (t) => {
  setNumThreads(2);
  manualSeed(11);
  const net = new UNet(SEGVIZ_UNET).train();
  const input = [2, 1, 32, 32, 32];
  const x = randn(input);
  const y = randint(0, SEGVIZ_UNET.outChannels, input).to({ dtype: "float32" });
  const upstream = randn([2, SEGVIZ_UNET.outChannels, 32, 32, 32]).mul(1e-3);
  const src = join(dir, "in.safetensors");
  const dst = join(dir, "out.safetensors");
  const payload = stateToData(new Map([...net.stateDict()].map(([k, v]) => [`weights.${k}`, v])));
  payload.x = tensorToData(x);
  payload.y = tensorToData(y);
  payload.upstream = tensorToData(upstream);
  await writeSafetensorsFile(src, payload, {
    config: JSON.stringify(SEGVIZ_UNET),
    mode: "train",
    lr: "0.001",
    threads: "2",
    precision: "bf16",
  });
  runReference("torch_unet.py", ["parity", src, dst]);
  const ref = (await loadStateDictFile(dst)).tensors;

  // The float32 pass first, for the size of bf16's effect (train-mode BatchNorm statistics move
  // with every pass, so the autocast pass below runs on a copy of the starting buffers).
  const buffers = new Map([...net.namedBuffers()].map(([k, b]) => [k, noGrad(() => b.clone())]));
  const fp32Logits = flat(noGrad(() => net.forward(x)));
  noGrad(() => {
    for (const [k, b] of net.namedBuffers()) b.copy_(buffers.get(k)!);
  });

  const logits = autocast("cpu", "bfloat16", () => net.forward(x));
  // MONAI's UNet ends in a transposed convolution, which 1.13's CPU autocast keeps in float32.
  assert.equal(logits.dtype, "float32");
  const logits32 = logits.to({ dtype: "float32" });
  const loss = noGrad(() => new DiceLoss({ toOnehotY: true, softmax: true }).forward(logits32, y));
  logits32.backward(upstream);

  const theirLogits = flat(ref.get("logits")!);
  const ours = flat(logits32);
  const vsTorch = relativeError(ours, theirLogits);
  const vsFp32 = relativeError(fp32Logits, theirLogits);
  // The same kernels on the same bf16 inputs: equal up to summation order; bf16 itself moves the
  // logits by about 1e-2 relative, far more than that.
  assert.ok(vsTorch <= 1e-4, `logits vs PyTorch autocast: ${vsTorch.toExponential(2)}`);
  assert.ok(
    vsFp32 >= 10 * Math.max(vsTorch, 1e-4),
    `bf16 vs fp32 logits differ by only ${vsFp32.toExponential(2)}`,
  );
  const lossErr = relativeError([loss.item()], flat(ref.get("loss")!));
  t.diagnostic(`logits: vs PyTorch autocast ${vsTorch.toExponential(2)}, vs fp32 ${vsFp32.toExponential(2)}`);
  assert.ok(lossErr <= 1e-3, `loss vs PyTorch autocast: ${lossErr.toExponential(2)}`);

  const errors: string[] = [];
  let worst = 0;
  for (const [name, p] of net.namedParameters()) {
    assert.equal(p.grad?.dtype, "float32", `${name}: the gradient of a float32 weight is float32`);
    const theirs = flat(ref.get(`grad.${name}`)!);
    // Bias gradients before a train-mode BatchNorm are analytically zero; both sides are noise.
    if (name.endsWith(".bias") && theirs.every((v) => Math.abs(v) < 1e-3)) continue;
    const e = relativeError(flat(p.grad!), theirs);
    worst = Math.max(worst, e);
    if (!(e <= 1e-3)) errors.push(`grad ${name}: ${e.toExponential(2)}`);
  }
  t.diagnostic(`weight gradients: largest relative difference to PyTorch autocast ${worst.toExponential(2)}`);
  assert.deepEqual(errors, []);
  for (const r of ref.values()) r.dispose();
  net.dispose();
});
