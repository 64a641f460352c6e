// BatchNorm3d and InstanceNorm3d against torch.nn over several training steps: outputs, running
// statistics and num_batches_tracked, for momentum 0.1 and momentum null (cumulative average).
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { noGrad, setNumThreads, Tensor, tidy } from "../../src/engine/index.js";
import { BatchNorm3d, InstanceNorm3d, type NormOptions } from "../../src/nn/layers/norm.js";
import { prng } from "../engine/gradcheck.js";
import { assertTensorMatches, runJsonReference, T, type TorchResult } from "../engine/torch-ref.js";

setNumThreads(1);

let seed = 900;
function r64(shape: number[], lo = -2, hi = 3): Tensor {
  const r = prng(seed++);
  return Tensor.fromArray(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r()),
    shape,
  );
}

interface NormCase {
  name: string;
  layer: "batch" | "instance";
  o: Required<NormOptions>;
}
const C = 3;
const cases: NormCase[] = [
  {
    name: "BatchNorm3d, momentum 0.1",
    layer: "batch",
    o: { momentum: 0.1, affine: true, trackRunningStats: true, eps: 1e-5 },
  },
  {
    name: "BatchNorm3d, momentum null",
    layer: "batch",
    o: { momentum: null, affine: true, trackRunningStats: true, eps: 1e-5 },
  },
  {
    name: "BatchNorm3d, momentum 0.3, no affine",
    layer: "batch",
    o: { momentum: 0.3, affine: false, trackRunningStats: true, eps: 1e-5 },
  },
  {
    name: "BatchNorm3d, no running stats",
    layer: "batch",
    o: { momentum: 0.1, affine: true, trackRunningStats: false, eps: 1e-5 },
  },
  {
    name: "InstanceNorm3d, running stats, affine",
    layer: "instance",
    o: { momentum: 0.1, affine: true, trackRunningStats: true, eps: 1e-5 },
  },
  {
    name: "InstanceNorm3d, defaults",
    layer: "instance",
    o: { momentum: 0.1, affine: false, trackRunningStats: false, eps: 1e-5 },
  },
];

interface NormRef {
  steps: {
    output: TorchResult;
    running_mean?: TorchResult;
    running_var?: TorchResult;
    num_batches_tracked?: number;
  }[];
  eval_output: TorchResult;
}

const inputs = cases.map(() => ({
  weight: r64([C], 0.5, 1.5),
  bias: r64([C]),
  train: [r64([2, C, 2, 3, 2]), r64([2, C, 2, 3, 2], 0, 5), r64([2, C, 2, 3, 2], -4, 1)],
  eval: r64([2, C, 2, 3, 2]),
}));

describe("normalisation layers against torch.nn", () => {
  let refs: NormRef[] = [];
  before(() => {
    refs = runJsonReference<NormRef[]>(
      "torch_nn.py",
      cases.map((c, i) => ({
        kind: "norm",
        layer: c.layer,
        channels: C,
        momentum: c.o.momentum,
        track: c.o.trackRunningStats,
        affine: c.o.affine,
        weight: T(inputs[i]!.weight),
        bias: T(inputs[i]!.bias),
        train_inputs: inputs[i]!.train.map(T),
        eval_input: T(inputs[i]!.eval),
      })),
    );
  });
  cases.forEach((c, i) => {
    test(c.name, () => {
      const ref = refs[i]!;
      assert.ok(!("error" in ref), JSON.stringify(ref));
      const m = (c.layer === "batch" ? new BatchNorm3d(C, c.o) : new InstanceNorm3d(C, c.o)).to("float64");
      if (c.o.affine) {
        noGrad(() => {
          m.weight!.copy_(inputs[i]!.weight);
          m.bias!.copy_(inputs[i]!.bias);
        });
      }
      m.train();
      inputs[i]!.train.forEach((x, s) => {
        tidy(() => {
          const step = ref.steps[s]!;
          assertTensorMatches(`step ${s} output`, m.forward(x), step.output, 1e-12);
          if (c.o.trackRunningStats) {
            assertTensorMatches(`step ${s} running_mean`, m.runningMean!, step.running_mean!, 1e-12);
            assertTensorMatches(`step ${s} running_var`, m.runningVar!, step.running_var!, 1e-12);
            assert.equal(
              m.numBatchesTracked!.item(),
              step.num_batches_tracked,
              `step ${s} num_batches_tracked`,
            );
          } else {
            assert.equal(m.runningMean, null);
            assert.equal(m.stateDict().size, c.o.affine ? 2 : 0);
          }
        });
      });
      m.eval();
      tidy(() => assertTensorMatches("eval output", m.forward(inputs[i]!.eval), ref.eval_output, 1e-12));
      m.dispose();
    });
  });
  test("InstanceNorm3d refuses momentum null with running statistics, as PyTorch", () => {
    const m = new InstanceNorm3d(2, { momentum: null, trackRunningStats: true });
    assert.throws(
      () => tidy(() => m.forward(r64([1, 2, 2, 2, 2]).to({ dtype: "float32" }))),
      /momentum=null/,
    );
    m.dispose();
  });
  test("a non-5D input is refused with the shape in the message", () => {
    const m = new BatchNorm3d(2);
    assert.throws(() => tidy(() => m.forward(r64([2, 2, 3]))), /expected 5D input.*\[2,2,3\]/);
    m.dispose();
  });
});
