// Autocast: under autocast("cpu", "bfloat16") each ATen op returns the dtype PyTorch's
// torch.autocast gives it (reference/torch_autocast_dtypes.py, the same ops and input dtypes), and
// the thread's autocast state comes back afterwards, also when the body throws or nests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import {
  atenOp,
  autocast,
  autocastState,
  callT,
  ones,
  randn,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";

const aten = (name: string) => atenOp(`aten::${name}`);

/** The reference's cases, with the same input dtypes and shapes (values do not matter). */
function ourDtypes(): Record<string, string> {
  return tidy(() => {
    const x = randn([1, 2, 6, 6, 6]);
    const z = randn([1, 4, 6, 6, 6]);
    const w = randn([4, 2, 3, 3, 3]);
    const wt = randn([2, 4, 3, 3, 3]);
    const b = randn([4]);
    const y = randn([1, 4, 6, 6, 6]).to({ dtype: "bfloat16" });
    return autocast("cpu", "bfloat16", () => {
      const out: Record<string, Tensor> = {
        conv3d: callT(aten("conv3d"), [x, w, b, [1, 1, 1], [1, 1, 1], [1, 1, 1], 1]),
        conv_transpose3d: callT(atenOp("aten::conv_transpose3d", "input"), [
          x,
          wt,
          null,
          [2, 2, 2],
          [1, 1, 1],
          [1, 1, 1],
          1,
          [1, 1, 1],
        ]),
        batch_norm: callT(aten("batch_norm"), [
          y,
          ones([4]),
          zeros([4]),
          zeros([4]),
          ones([4]),
          true,
          0.1,
          1e-5,
          false,
        ]),
        instance_norm: callT(aten("instance_norm"), [y, null, null, null, null, true, 0.1, 1e-5, false]),
        prelu: callT(aten("prelu"), [y, tensor([0.25])]),
        leaky_relu: callT(aten("leaky_relu"), [y, 0.01]),
        softmax: callT(atenOp("aten::softmax", "int"), [y, 1]),
        log_softmax: callT(atenOp("aten::log_softmax", "int"), [y, 1]),
        sum: callT(aten("sum"), [y]),
        add_mixed: callT(atenOp("aten::add", "Tensor"), [y, z]),
        cat_mixed: callT(aten("cat"), [[y, z], 1]),
        mm: callT(aten("mm"), [randn([3, 4]), randn([4, 5])]),
        avg_pool3d: callT(aten("avg_pool3d"), [y, [2, 2, 2]]),
        mse_loss: callT(aten("mse_loss"), [y, z]),
        grid_sampler: callT(aten("grid_sampler"), [x, zeros([1, 2, 2, 2, 3]), 0, 0, false]),
      };
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.dtype]));
    });
  });
}

describe("autocast", () => {
  test("each op returns the dtype PyTorch's CPU autocast gives it", () => {
    const theirs = JSON.parse(runReference("torch_autocast_dtypes.py", []).trim()) as Record<string, string>;
    const ours = ourDtypes();
    assert.deepEqual(ours, theirs);
    // The cases cover both lists: lowered (convolutions, matmul) and kept in float32.
    assert.equal(theirs.conv3d, "bfloat16");
    assert.equal(theirs.mse_loss, "float32");
  });

  test("without autocast the same convolution stays float32", () => {
    const dtype = tidy(() => callT(aten("conv3d"), [randn([1, 2, 6, 6, 6]), randn([4, 2, 3, 3, 3])]).dtype);
    assert.equal(dtype, "float32");
  });

  test("the previous state comes back after a region, a nested region and a throw", () => {
    assert.deepEqual(autocastState("cpu"), { enabled: false, dtype: "bfloat16" });
    autocast("cpu", "bfloat16", () => {
      assert.equal(autocastState("cpu").enabled, true);
      autocast("cpu", "bfloat16", () => assert.equal(autocastState("cpu").enabled, true));
      assert.equal(autocastState("cpu").enabled, true);
    });
    assert.equal(autocastState("cpu").enabled, false);
    assert.throws(
      () =>
        autocast("cpu", "bfloat16", () => {
          throw new Error("inside");
        }),
      /inside/,
    );
    assert.equal(autocastState("cpu").enabled, false);
    assert.equal(autocastState("cuda").enabled, false);
  });

  test("float16 on the CPU is refused with the reason", () => {
    assert.throws(() => autocast("cpu", "float16", () => 0), /CPU autocasts to bfloat16 only.*CUDA/);
    assert.equal(autocastState("cpu").enabled, false);
  });
});
