// Benchmark: sliding-window inference of the SegViz UNet over the real CT example after the
// study's preprocessing, ours and PyTorch's (same algorithm, same weights, same threads) in one run.
// The study used ROI 160^3 on a GPU; on a 2-core CPU the default here is 96^3 (--roi to change).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preprocessCase } from "../src/data/pipeline/preprocess-case.js";
import { SEGVIZ_PREPROCESS } from "../src/data/pipeline/preprocess-settings.js";
import { manualSeed, noGrad, setNumThreads, Tensor, tidy } from "../src/engine/index.js";
import { loadStateDictFile, stateToData, tensorToData } from "../src/nn/checkpoint.js";
import { SEGVIZ_UNET, UNet } from "../src/nn/monai/unet.js";
import { writeSafetensorsFile } from "../src/nn/safetensors/index.js";
import { slidingWindowInference } from "../src/training/inference/sliding-window.js";
import { TOTALSEG_EXAMPLE } from "../test/fixtures/index.js";
import { runReference } from "./reference-python.js";

export interface SlidingWindowBench {
  volume: number[];
  roi: number[];
  windows: number;
  oursSeconds: number[];
  torchSeconds: number[];
  ratio: number;
  maxRelativeDifference: number;
}

export async function benchSlidingWindow(o: {
  threads: number;
  roi: [number, number, number];
  swBatch: number;
  repeats: number;
}): Promise<SlidingWindowBench> {
  setNumThreads(o.threads);
  const pre = (await preprocessCase({ image: TOTALSEG_EXAMPLE.ct }, SEGVIZ_PREPROCESS)).image!;
  const [i, j, k] = pre.shape as [number, number, number];
  manualSeed(0);
  const net = new UNet(SEGVIZ_UNET).eval();
  const x = Tensor.fromArray(pre.data as Float32Array, [1, 1, k, j, i]);
  const roi: [number, number, number] = [o.roi[2], o.roi[1], o.roi[0]];
  const dir = mkdtempSync(join(tmpdir(), "segviz-swbench-"));
  try {
    const src = join(dir, "in.safetensors");
    const payload = stateToData(new Map([...net.stateDict()].map(([n, v]) => [`weights.${n}`, v])));
    payload.x = tensorToData(x);
    await writeSafetensorsFile(src, payload, {
      config: JSON.stringify(SEGVIZ_UNET),
      roi: JSON.stringify(roi),
      overlap: "0.25",
      sw_batch: String(o.swBatch),
      threads: String(o.threads),
      repeats: String(o.repeats),
    });
    runReference("torch_sliding_window.py", ["bench", src, join(dir, "out.safetensors")]);
    const ref = await loadStateDictFile(join(dir, "out.safetensors"));
    const torchSeconds = JSON.parse(ref.metadata.seconds!) as number[];
    const oursSeconds: number[] = [];
    let windows = 0;
    let ours: Tensor | null = null;
    for (let r = 0; r < o.repeats; r++) {
      ours?.dispose();
      const t0 = performance.now();
      ours = noGrad(() =>
        slidingWindowInference(x, (w) => net.forward(w), {
          roiSize: roi,
          overlap: 0.25,
          swBatchSize: o.swBatch,
          mode: "gaussian",
          onProgress: (_d, total) => {
            windows = total;
          },
        }),
      );
      oursSeconds.push((performance.now() - t0) / 1000);
    }
    const y = ref.tensors.get("y")!;
    const maxRelativeDifference = tidy(() => ours!.sub(y).abs().max().item() / y.abs().max().item());
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
    const result = {
      volume: [i, j, k],
      roi: o.roi,
      windows,
      oursSeconds,
      torchSeconds,
      ratio: med(oursSeconds) / med(torchSeconds),
      maxRelativeDifference,
    };
    ours!.dispose();
    y.dispose();
    return result;
  } finally {
    x.dispose();
    net.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
