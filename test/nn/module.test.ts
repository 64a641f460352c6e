// Module structure against PyTorch: the UNet's state_dict names, shapes, dtypes and order equal
// those of the MONAI-structured torch UNet in reference/torch_unet.py; loadStateDict's errors;
// train/eval propagation; dtype casting.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  manualSeed,
  noGrad,
  randn,
  setNumThreads,
  type Tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import { Dropout } from "../../src/nn/layers/activation.js";
import { BatchNorm3d } from "../../src/nn/layers/norm.js";
import { SEGVIZ_UNET, UNet, type UNetConfig } from "../../src/nn/monai/unet.js";
import { runJsonReference } from "../engine/torch-ref.js";

setNumThreads(1);

interface Shapes {
  names: string[];
  shapes: number[][];
  dtypes: string[];
  num_parameters: number;
}

const configs: [string, UNetConfig][] = [
  ["SegViz (batch norm, 2 residual units, 5 levels)", SEGVIZ_UNET],
  ["instance norm", { ...SEGVIZ_UNET, norm: "instance" }],
  ["no residual units", { ...SEGVIZ_UNET, numResUnits: 0 }],
  [
    "3 levels",
    { inChannels: 2, outChannels: 3, channels: [8, 16, 32], strides: [2, 2], numResUnits: 2, norm: "batch" },
  ],
  // reference/torch_unet.py uses one kernel size for down and up convs (MONAI has kernel_size and
  // up_kernel_size), so both are 5 here.
  [
    "3 levels, 1 residual unit, stride 1, kernels 5",
    {
      inChannels: 1,
      outChannels: 4,
      channels: [4, 8, 12],
      strides: [2, 1],
      numResUnits: 1,
      kernelSize: 5,
      upKernelSize: 5,
      norm: "batch",
    },
  ],
];

describe("UNet state_dict equals PyTorch's (names, shapes, dtypes, order)", () => {
  let refs: Shapes[] = [];
  before(() => {
    refs = runJsonReference<Shapes[]>(
      "torch_nn.py",
      configs.map(([, config]) => ({ kind: "unet_shapes", config })),
    );
  });
  configs.forEach(([name, config], i) => {
    test(name, () => {
      manualSeed(0);
      const net = new UNet(config);
      const ref = refs[i]!;
      assert.ok(!("error" in ref), JSON.stringify(ref));
      const sd = [...net.stateDict()];
      assert.deepEqual(
        sd.map(([k]) => k),
        ref.names,
        "state_dict keys in PyTorch order",
      );
      assert.deepEqual(
        sd.map(([, t]) => t.shape),
        ref.shapes,
      );
      assert.deepEqual(
        sd.map(([, t]) => t.dtype),
        ref.dtypes,
      );
      assert.equal(net.numParameters(), ref.num_parameters);
      // Buffers are in the state dict but not among the parameters, as in PyTorch.
      const params = new Set(net.namedParameters().map(([k]) => k));
      const buffers = net.namedBuffers().map(([k]) => k);
      assert.ok(buffers.every((b) => !params.has(b)));
      assert.equal(params.size + buffers.length, sd.length);
      net.dispose();
    });
  });
  test("the SegViz UNet has exactly 4,808,917 parameters", () => {
    const net = new UNet(SEGVIZ_UNET);
    assert.equal(net.numParameters(), 4_808_917);
    assert.equal(refs[0]!.num_parameters, 4_808_917);
    assert.ok(net.stateDict().has("model.0.conv.unit0.conv.weight"));
    assert.ok(net.stateDict().has("model.0.conv.unit0.adn.N.num_batches_tracked"));
    net.dispose();
  });
});

describe("loadStateDict", () => {
  const small: UNetConfig = {
    inChannels: 1,
    outChannels: 2,
    channels: [2, 4],
    strides: [2],
    numResUnits: 1,
    norm: "batch",
  };
  function stateCopy(net: UNet): Map<string, Tensor> {
    return new Map([...net.stateDict()].map(([k, v]) => [k, noGrad(() => v.clone())]));
  }
  test("copies every value (cast to the module's dtype) and leaves the tensors in place", () => {
    tidy(() => {
      manualSeed(1);
      const a = new UNet(small);
      manualSeed(2);
      const b = new UNet(small);
      const w = b.stateDict().get("model.0.conv.unit0.conv.weight")!;
      const state = new Map(
        [...a.stateDict()].map(([k, v]) => [k, noGrad(() => v.to({ dtype: "float64" }))]),
      );
      b.loadStateDict(state);
      assert.equal(b.stateDict().get("model.0.conv.unit0.conv.weight"), w, "same tensor object");
      assert.equal(w.dtype, "float32");
      for (const [k, v] of a.stateDict()) assert.deepEqual(b.stateDict().get(k)!.toList(), v.toList(), k);
      a.dispose();
      b.dispose();
    });
  });
  test("strict: names the missing and the unexpected keys", () => {
    tidy(() => {
      const net = new UNet(small);
      const state = stateCopy(net);
      state.delete("model.1.submodule.conv.unit0.adn.N.running_var");
      state.delete("model.0.residual.bias");
      state.set("model.9.weight", zeros([1]));
      assert.throws(
        () => net.loadStateDict(state),
        (e: unknown) =>
          e instanceof Error &&
          e.message.includes(
            "missing keys: model.0.residual.bias, model.1.submodule.conv.unit0.adn.N.running_var",
          ) &&
          e.message.includes("unexpected keys: model.9.weight"),
      );
      // strict: false loads what matches and ignores the rest.
      const before = net.stateDict().get("model.0.conv.unit0.conv.weight")!.toList();
      state.set(
        "model.0.conv.unit0.conv.weight",
        zeros(net.stateDict().get("model.0.conv.unit0.conv.weight")!.shape),
      );
      net.loadStateDict(state, { strict: false });
      const after = net.stateDict().get("model.0.conv.unit0.conv.weight")!.toList();
      assert.ok(before.some((v) => v !== 0));
      assert.ok(after.every((v) => v === 0));
      net.dispose();
    });
  });
  test("a wrong shape is named, and nothing is loaded", () => {
    tidy(() => {
      const net = new UNet(small);
      const state = stateCopy(net);
      const key = "model.2.0.conv.weight";
      const original = net.stateDict().get("model.0.conv.unit0.conv.weight")!.toList();
      state.set(
        "model.0.conv.unit0.conv.weight",
        zeros(net.stateDict().get("model.0.conv.unit0.conv.weight")!.shape),
      );
      state.set(key, zeros([6, 2, 3, 3, 2]));
      assert.throws(
        () => net.loadStateDict(state),
        /'model\.2\.0\.conv\.weight' has shape \[6,2,3,3,2\], the module expects \[6,2,3,3,3\]/,
      );
      assert.deepEqual(
        net.stateDict().get("model.0.conv.unit0.conv.weight")!.toList(),
        original,
        "validation precedes copying",
      );
      net.dispose();
    });
  });
});

describe("train/eval", () => {
  test("flags propagate to every descendant, and to a subtree only when set there", () => {
    const net = new UNet({
      inChannels: 1,
      outChannels: 2,
      channels: [2, 4, 8],
      strides: [2, 2],
      numResUnits: 2,
      norm: "batch",
      dropout: 0.2,
    });
    const modules = net.namedModules();
    assert.ok(modules.length > 20);
    assert.ok(modules.every(([, m]) => m.training));
    net.eval();
    assert.ok(modules.every(([, m]) => !m.training));
    net.train();
    assert.ok(modules.every(([, m]) => m.training));
    const sub = modules.find(([n]) => n === "model.1")![1];
    sub.eval();
    for (const [n, m] of modules) assert.equal(m.training, !(n === "model.1" || n.startsWith("model.1.")), n);
    net.dispose();
  });
  test("eval: deterministic output, BatchNorm statistics frozen; train: statistics move, dropout active", () => {
    tidy(() => {
      manualSeed(3);
      const net = new UNet({
        inChannels: 1,
        outChannels: 2,
        channels: [2, 4],
        strides: [2],
        numResUnits: 1,
        norm: "batch",
        dropout: 0.5,
      });
      const x = randn([2, 1, 4, 4, 4]);
      const nbt = () => net.stateDict().get("model.0.conv.unit0.adn.N.num_batches_tracked")!.item();
      const rm = () => net.stateDict().get("model.0.conv.unit0.adn.N.running_mean")!.toList();
      net.eval();
      const rm0 = rm();
      const a = noGrad(() => net.forward(x)).toList();
      const b = noGrad(() => net.forward(x)).toList();
      assert.deepEqual(a, b);
      assert.equal(nbt(), 0);
      assert.deepEqual(rm(), rm0);
      net.train();
      const c = noGrad(() => net.forward(x)).toList();
      const d = noGrad(() => net.forward(x)).toList();
      assert.notDeepEqual(c, d, "dropout masks differ between train-mode calls");
      assert.equal(nbt(), 2);
      assert.notDeepEqual(rm(), rm0);
      const drop = new Dropout(0.5);
      drop.eval();
      assert.deepEqual(drop.forward(x).toList(), x.toList());
      net.dispose();
    });
  });
});

describe("Module.to(dtype)", () => {
  test("casts floating parameters and buffers, keeps num_batches_tracked int64, keeps gradients flowing", () => {
    tidy(() => {
      const bn = new BatchNorm3d(2).to("float64");
      assert.equal(bn.weight!.dtype, "float64");
      assert.equal(bn.runningMean!.dtype, "float64");
      assert.equal(bn.numBatchesTracked!.dtype, "int64");
      assert.deepEqual(
        [...bn.stateDict().values()].map((t) => t.dtype),
        ["float64", "float64", "float64", "float64", "int64"],
      );
      assert.equal(bn.namedParameters()[0]![1], bn.weight, "fields and tables hold the same tensors");
      const y = bn.forward(randn([2, 2, 2, 2, 2], { dtype: "float64" }));
      y.pow(2).sum().backward();
      assert.ok(bn.weight!.grad !== null);
      assert.throws(() => bn.to("int64"), /not a floating-point dtype/);
      bn.dispose();
    });
  });
});
