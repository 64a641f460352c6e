// The SegViz UNet's eval-mode forward pass on the cuda device against the CPU, on the same weights
// and input, plus GPU timings of the forward and of a full training step. Run by gpu-check.sh.
import {
  buildInfo,
  cudaDeviceCount,
  manualSeed,
  noGrad,
  randn,
  setNumThreads,
  tidy,
} from "../dist/src/engine/index.js";
import { DiceLoss } from "../dist/src/nn/losses/dice.js";
import { SEGVIZ_UNET, UNet } from "../dist/src/nn/monai/unet.js";
import { Adam } from "../dist/src/nn/optim/adam.js";

const info = buildInfo();
console.log(`libtorch ${info.torchVersion}, CUDA devices ${cudaDeviceCount()}`);
setNumThreads(8);
manualSeed(0);
const net = new UNet(SEGVIZ_UNET).eval();
const x = randn([1, 1, 96, 96, 96]);
const cpu = noGrad(() => net.forward(x));
net.toDevice("cuda");
const xg = x.to({ device: "cuda" });
const gpu = noGrad(() => net.forward(xg)).to({ device: "cpu" });
const rel = tidy(() => gpu.sub(cpu).abs().max().item() / cpu.abs().max().item());
const times = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  noGrad(() => tidy(() => net.forward(xg).sum().item())); // item() waits for the GPU
  times.push(performance.now() - t0);
}
net.train();
const opt = new Adam(net.namedParameters(), { lr: 1e-4 });
const loss = new DiceLoss({ toOnehotY: true, softmax: true });
const xs = randn([8, 1, 128, 128, 32], { device: "cuda" });
const ys = tidy(() => randn([8, 1, 128, 128, 32], { device: "cuda" }).gt(0.5).to({ dtype: "float32" }));
const steps = [];
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  tidy(() => {
    opt.zeroGrad(false);
    const l = loss.forward(net.forward(xs), ys);
    l.backward();
    opt.step();
    return l.item();
  });
  steps.push(performance.now() - t0);
}
const med = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(
  JSON.stringify({
    device: "cuda",
    forwardShape: gpu.shape,
    maxRelDiffGpuVsCpu: rel,
    evalForwardMs96: med(times.slice(2)),
    trainStepMsStudy: med(steps.slice(1)),
  }),
);
// cuDNN convolutions default to TF32 on Ampere and later (about 1e-3 relative), not float32.
console.log(rel < 1e-2 ? "GPU CHECK OK" : "GPU CHECK MISMATCH");
