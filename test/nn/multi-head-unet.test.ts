// The multi-head UNet: for every task, body + head is exactly a MONAI UNet (same names, shapes
// and outputs), heads are named apart from the shared body, and all heads share one body pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, noGrad, randn, tidy } from "../../src/engine/index.js";
import { MultiHeadUNet } from "../../src/nn/monai/multi-head-unet.js";
import { SEGVIZ_UNET, UNet, type UNetConfig } from "../../src/nn/monai/unet.js";
import { assertClose, toNumbers } from "../helpers/compare.js";

const small: UNetConfig = {
  inChannels: 1,
  outChannels: 2,
  channels: [4, 8, 16],
  strides: [2, 2],
  numResUnits: 2,
  norm: "batch",
};

test("each task's body + head has MONAI UNet names and shapes; heads are separate", () => {
  const m = new MultiHeadUNet(SEGVIZ_UNET, [
    { name: "liver", outChannels: 2 },
    { name: "spleen", outChannels: 2 },
    { name: "central", outChannels: 5 },
  ]);
  const ref = new UNet(SEGVIZ_UNET);
  const refShapes = [...ref.stateDict()].map(([k, v]) => [k, v.shape]);
  const liver = [...m.monaiStateDict("liver")].map(([k, v]) => [k, v.shape]);
  assert.deepEqual(liver.sort(), refShapes.sort());
  const central = m.monaiStateDict("central");
  assert.deepEqual(central.get("model.2.0.conv.weight")!.shape, [32, 5, 3, 3, 3]);
  const names = [...m.stateDict().keys()];
  assert.ok(
    names.every((n) => n.startsWith("model.0.") || n.startsWith("model.1.") || n.startsWith("heads.")),
  );
  assert.ok(names.some((n) => n.startsWith("heads.spleen.0.conv.weight")));
  assert.ok(!names.some((n) => n.startsWith("model.2.")), "heads must not use the body's names");
  // 4,808,917 for one task; each extra 2-channel head adds model.2's parameters.
  const headParams = [...ref.namedParameters()]
    .filter(([n]) => n.startsWith("model.2."))
    .reduce((s, [, p]) => s + p.numel, 0);
  const centralHead = m
    .namedParameters()
    .filter(([n]) => n.startsWith("heads.central."))
    .reduce((s, [, p]) => s + p.numel, 0);
  assert.equal(m.numParameters(), 4_808_917 + headParams + centralHead);
  m.dispose();
  ref.dispose();
});

test("a task's forward equals a MONAI UNet loaded with its state dict", () => {
  manualSeed(1);
  const m = new MultiHeadUNet(small, [
    { name: "a", outChannels: 2 },
    { name: "b", outChannels: 3 },
  ]).eval();
  for (const task of ["a", "b"]) {
    const u = new UNet({ ...small, outChannels: task === "a" ? 2 : 3 }).eval();
    u.loadStateDict(m.monaiStateDict(task));
    tidy(() => {
      const x = randn([1, 1, 16, 16, 16]);
      noGrad(() => {
        const ours = toNumbers(m.forwardTask(task, x).toArray() as Float32Array);
        assertClose(ours, toNumbers(u.forward(x).toArray() as Float32Array), 1e-6, `task ${task}`);
        const all = m.forwardAll(x);
        assertClose(toNumbers(all.get(task)!.toArray() as Float32Array), ours, 1e-6, `forwardAll ${task}`);
      });
    });
    u.dispose();
  }
  m.dispose();
});

test("loading a MONAI state dict into one head leaves the other heads untouched", () => {
  manualSeed(2);
  const m = new MultiHeadUNet(small, [
    { name: "a", outChannels: 2 },
    { name: "b", outChannels: 2 },
  ]);
  const before = toNumbers(m.stateDict().get("heads.b.0.conv.weight")!.toArray() as Float32Array);
  const u = new UNet(small);
  m.loadMonaiStateDict("a", u.stateDict());
  const after = toNumbers(m.stateDict().get("heads.b.0.conv.weight")!.toArray() as Float32Array);
  assert.deepEqual(after, before);
  assert.deepEqual(
    toNumbers(m.stateDict().get("heads.a.0.conv.weight")!.toArray() as Float32Array),
    toNumbers(u.stateDict().get("model.2.0.conv.weight")!.toArray() as Float32Array),
  );
  assert.throws(() => m.head("nope"), /no head 'nope'/);
  m.dispose();
  u.dispose();
});
