// Parity with PyTorch: on identical weights and input, our UNet's logits, Dice loss, gradients
// and the weights after one Adam step match PyTorch's (reference/torch_unet.py) within 1e-4
// relative, in train and eval mode. Weights travel between the two as safetensors.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import {
  manualSeed,
  noGrad,
  rand,
  randint,
  randn,
  setNumThreads,
  type Tensor,
  tidy,
} from "../../src/engine/index.js";
import { loadStateDictFile, stateToData, tensorToData } from "../../src/nn/checkpoint.js";
import { DiceLoss } from "../../src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet, type UNetConfig } from "../../src/nn/monai/unet.js";
import { Adam } from "../../src/nn/optim/adam.js";
import { writeSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { relativeError, toNumbers } from "../helpers/compare.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-parity-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const RTOL = 1e-4;

interface Case {
  name: string;
  config: UNetConfig;
  input: number[];
  mode: "train" | "eval";
}

const small: UNetConfig = {
  inChannels: 1,
  outChannels: 3,
  channels: [4, 8, 16],
  strides: [2, 2],
  numResUnits: 2,
  norm: "batch",
};
const cases: Case[] = [
  { name: "SegViz UNet, train mode", config: SEGVIZ_UNET, input: [2, 1, 32, 32, 32], mode: "train" },
  { name: "SegViz UNet, eval mode", config: SEGVIZ_UNET, input: [1, 1, 32, 32, 32], mode: "eval" },
  {
    name: "small UNet, instance norm, no residual units, train",
    config: { ...small, norm: "instance", numResUnits: 0 },
    input: [2, 1, 16, 16, 24],
    mode: "train",
  },
  { name: "small UNet, batch norm, eval", config: small, input: [2, 1, 16, 16, 16], mode: "eval" },
];

function flat(t: Tensor): number[] {
  return toNumbers(t.toArray() as ArrayLike<number>);
}

describe("PyTorch parity of the UNet training step", () => {
  for (const c of cases) {
    test(c.name, async () => {
      setNumThreads(2);
      manualSeed(7);
      const net = new UNet(c.config).train(c.mode === "train");
      // Non-trivial running statistics, so eval mode is really exercised.
      noGrad(() => {
        for (const [name, b] of net.namedBuffers()) {
          if (name.endsWith("running_mean")) b.copy_(tidy(() => randn(b.shape).mul(0.1)));
          if (name.endsWith("running_var")) b.copy_(tidy(() => rand(b.shape).add(0.5)));
        }
      });
      const x = randn(c.input);
      const y = randint(0, c.config.outChannels, c.input).to({ dtype: "float32" });
      const lr = 1e-3;
      const before = new Map([...net.stateDict()].map(([k, v]) => [k, flat(v)]));
      const src = join(dir, `${c.name.replace(/\W+/g, "_")}.in.safetensors`);
      const dst = src.replace(".in.", ".out.");
      const payload = stateToData(new Map([...net.stateDict()].map(([k, v]) => [`weights.${k}`, v])));
      payload.x = tensorToData(x);
      payload.y = tensorToData(y);
      await writeSafetensorsFile(src, payload, {
        config: JSON.stringify(c.config),
        mode: c.mode,
        lr: String(lr),
        threads: "2",
      });
      runReference("torch_unet.py", ["parity", src, dst]);
      const ref = (await loadStateDictFile(dst)).tensors;

      const opt = new Adam(net.namedParameters(), { lr });
      const loss = new DiceLoss({ toOnehotY: true, softmax: true });
      const logits = net.forward(x);
      const l = loss.forward(logits, y);
      l.backward();

      const errors: string[] = [];
      const check = (what: string, ours: number[], theirs: number[], floor = 1e-12) => {
        const e = relativeError(ours, theirs, floor);
        if (!(e <= RTOL)) errors.push(`${what}: ${e.toExponential(2)}`);
      };
      check("logits", flat(logits), flat(ref.get("logits")!));
      check("loss", [l.item()], flat(ref.get("loss")!));
      const refGrads = new Map(net.namedParameters().map(([name]) => [name, ref.get(`grad.${name}`)!]));
      const gradScale = Math.max(...[...refGrads.values()].map((g) => tidy(() => g.abs().max().item())));
      for (const [name, p] of net.namedParameters()) {
        const g = p.grad;
        assert.ok(g, `no gradient for ${name}`);
        const theirs = flat(refGrads.get(name)!);
        const ours = flat(g);
        // A conv bias followed by a train-mode BatchNorm has an analytically zero gradient (the
        // norm removes the mean); both sides then hold float32 noise, so require both to be noise.
        const zeroTol = 1e-6 * gradScale;
        if (theirs.every((v) => Math.abs(v) <= zeroTol)) {
          if (!ours.every((v) => Math.abs(v) <= zeroTol))
            errors.push(`grad ${name}: PyTorch's is ~0, ours is not`);
        } else {
          check(`grad ${name}`, ours, theirs);
        }
        // Adam's first step is lr * g / (|g| + eps): elementwise it amplifies the float32 noise of
        // near-zero gradients to a full +-lr, so the optimiser is compared on PyTorch's gradients.
        p.grad = refGrads.get(name)!;
      }
      opt.step();
      for (const [name, t] of net.stateDict()) {
        const ours = flat(t);
        const theirs = flat(ref.get(`after.${name}`)!);
        const b = before.get(name)!;
        // Compare the change each step made (a wrong update hides in the weights' own scale).
        const dOurs = ours.map((v, i) => v - b[i]!);
        const dTheirs = theirs.map((v, i) => v - b[i]!);
        if (dTheirs.every((v) => v === 0)) {
          if (!dOurs.every((v) => v === 0)) errors.push(`after ${name}: changed here but not in PyTorch`);
        } else {
          check(`update of ${name}`, dOurs, dTheirs);
        }
        check(`after ${name}`, ours, theirs);
      }
      assert.deepEqual(errors, [], `relative errors above ${RTOL}:\n${errors.join("\n")}`);
      for (const t of ref.values()) t.dispose();
      opt.dispose();
      net.dispose();
    });
  }
});
