// Benchmark: preprocessing of the real CT (load, RAS, spacing 1.5 x 1.5 x 2.0 mm, window -175..250
// to [0, 1], foreground crop), ours and the Python reference (nibabel + torch following MONAI's
// documented steps) in the same run with the same thread count; then patches per second delivered
// by the worker patch loader with augmentation on.
//
//   node dist/bench/preprocess.js [--threads 2] [--repeat 5] [--workers 2]

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PreprocessCache } from "../src/data/cache/index.js";
import {
  type AugmentSettings,
  PatchLoader,
  preprocessCase,
  preprocessDataset,
  SEGVIZ_PREPROCESS,
} from "../src/data/pipeline/index.js";
import { setNumThreads } from "../src/engine/index.js";
import { TOTALSEG_EXAMPLE } from "../test/fixtures/index.js";
import { median } from "./median.js";
import { runReference } from "./reference-python.js";

const DATA = process.env.SEGVIZ_DATA ?? TOTALSEG_EXAMPLE.dir;
const MONAI_MEASURED_S = 0.59;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function benchOurs(
  path: string,
  repeat: number,
): Promise<{ seconds: number[]; cpu: number[]; shape: number[] }> {
  const seconds: number[] = [];
  const cpu: number[] = [];
  let shape: number[] = [];
  for (let r = 0; r <= repeat; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await preprocessCase({ image: path }, SEGVIZ_PREPROCESS);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    shape = out.image.shape;
    if (r === 0) continue; // warm-up: operator resolution, allocator
    seconds.push(wall);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { seconds, cpu, shape };
}

async function benchPatches(
  workers: number,
): Promise<{ patches: number; seconds: number; perSecond: number }> {
  const dir = await mkdtemp(join(tmpdir(), "segviz-bench-"));
  try {
    const cache = new PreprocessCache(join(dir, "cache"));
    const settings = { ...SEGVIZ_PREPROCESS, minSize: [96, 96, 32] as [number, number, number] };
    const c = { image: join(DATA, "ct_small.nii.gz"), label: join(DATA, "seg_small.nii.gz") };
    const { prepared } = await preprocessDataset([c], { cache, settings });
    const entries = [0, 1, 2, 3].map((n) => ({ path: prepared[0].entryPath, name: `${c.image}#${n}` }));
    const augment: AugmentSettings = {
      patchSize: [96, 96, 32],
      numSamples: 4,
      pos: 1,
      neg: 1,
      imageThreshold: 0,
      flipProb: 0.1,
      rot90Prob: 0.1,
      affine: { prob: 1, rotateRange: [0, 0, Math.PI / 15], scaleRange: [0.1, 0.1, 0.1] },
      intensity: { prob: 0.5, scale: 0.1, shift: 0.1 },
      placement: "workers",
    };
    const loader = await PatchLoader.create({
      entries,
      augment,
      batchSize: 2,
      seed: 0,
      workers,
      prefetch: 2 * workers,
    });
    try {
      for await (const _ of loader.epoch(0)); // warm-up epoch
      const t0 = performance.now();
      let patches = 0;
      for (let e = 1; e <= 3; e++) for await (const b of loader.epoch(e)) patches += b.shape[0];
      const seconds = (performance.now() - t0) / 1000;
      return { patches, seconds, perSecond: patches / seconds };
    } finally {
      await loader.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const threads = arg("threads", 2);
  const repeat = arg("repeat", 5);
  const workers = arg("workers", 2);
  setNumThreads(threads);
  const ct = join(DATA, "ct.nii.gz");

  const ours = await benchOurs(ct, repeat);
  const ref = JSON.parse(
    runReference("monai_style_preprocess.py", [
      ct,
      "--threads",
      String(threads),
      "--repeat",
      String(repeat + 1),
    ]),
  );
  const refSeconds: number[] = ref.seconds.slice(1);
  const oursS = median(ours.seconds);
  const refS = median(refSeconds);
  const result = {
    bench: "preprocess",
    input: ct,
    threads,
    output_shape: ours.shape,
    reference_shape: ref.shape,
    ours_s_median: Number(oursS.toFixed(4)),
    ours_s_all: ours.seconds.map((s) => Number(s.toFixed(4))),
    ours_cpu_s_median: Number(median(ours.cpu).toFixed(4)),
    reference_s_median: Number(refS.toFixed(4)),
    reference_s_all: refSeconds.map((s) => Number(s.toFixed(4))),
    ratio_ours_over_reference: Number((oursS / refS).toFixed(3)),
    monai_measured_s: MONAI_MEASURED_S,
    target_s: MONAI_MEASURED_S / 2,
  };
  console.log(JSON.stringify(result));
  console.log(
    `preprocess ct.nii.gz (${threads} threads): ours ${oursS.toFixed(3)} s, reference ${refS.toFixed(3)} s, ` +
      `ratio ${(oursS / refS).toFixed(2)} (target <= 0.5 of MONAI's ${MONAI_MEASURED_S} s = ${MONAI_MEASURED_S / 2} s)`,
  );
  const p = await benchPatches(workers);
  console.log(
    JSON.stringify({
      bench: "patches",
      workers,
      patch: [96, 96, 32],
      augmentation: "flip, rot90, affine, intensity",
      ...p,
    }),
  );
  console.log(
    `patch loader: ${p.perSecond.toFixed(1)} patches/s (${p.patches} patches of 96x96x32 in ${p.seconds.toFixed(2)} s, ${workers} workers)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
