// Small synthetic cases on disk (NIfTI) and in the cache, for pipeline tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PreprocessCache } from "../../../src/data/cache/index.js";
import { writeNifti } from "../../../src/data/nifti/index.js";
import type { AugmentSettings } from "../../../src/data/pipeline/index.js";
import type { Volume } from "../../../src/data/volume.js";

export const AFFINE = [
  [-2, 0, 0, 30],
  [0, -2, 0, 20],
  [0, 0, 3, -10],
  [0, 0, 0, 1],
];

/** A CT-like case: HU body ellipse with an organ blob labelled 1; `n` varies position. */
export function syntheticCase(
  n: number,
  shape: [number, number, number] = [40, 36, 14],
): { image: Volume; label: Volume } {
  const [ni, nj, nk] = shape;
  const image = new Int16Array(ni * nj * nk);
  const label = new Uint8Array(ni * nj * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const x = (i - ni / 2) / (ni / 2.5);
        const y = (j - nj / 2) / (nj / 2.5);
        const idx = i + ni * (j + nj * k);
        const body = x * x + y * y < 1;
        const organ = (i - 12 - n) ** 2 + (j - 15) ** 2 + ((k - 7) * 1.5) ** 2 < 25;
        image[idx] = organ ? 60 + ((i * 7 + j * 3 + k) % 20) : body ? -20 + ((i + j) % 9) : -1000;
        label[idx] = organ ? 1 : 0;
      }
  return {
    image: { shape, dtype: "int16", data: image, affine: AFFINE },
    label: { shape, dtype: "uint8", data: label, affine: AFFINE },
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "segviz-pipeline-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeCase(dir: string, n: number): Promise<{ image: string; label: string }> {
  const c = syntheticCase(n);
  const image = join(dir, `case${n}_img.nii.gz`);
  const label = join(dir, `case${n}_seg.nii.gz`);
  await writeNifti(image, c.image);
  await writeNifti(label, c.label);
  return { image, label };
}

/** Cache entries holding already-"preprocessed" float volumes, without going through NIfTI. */
export async function cachedEntries(dir: string, count: number): Promise<{ path: string; name: string }[]> {
  const cache = new PreprocessCache(join(dir, "cache"));
  const out: { path: string; name: string }[] = [];
  for (let n = 0; n < count; n++) {
    const c = syntheticCase(n);
    const src = await writeCase(dir, n);
    const r = await cache.getOrBuild(src, { test: true }, async () => ({
      image: {
        ...c.image,
        dtype: "float32",
        data: Float32Array.from(c.image.data as Int16Array, (v) => (v + 175) / 425),
      },
      label: c.label,
    }));
    out.push({ path: r.path, name: src.image });
  }
  return out;
}

export const SMALL_AUGMENT: AugmentSettings = {
  patchSize: [16, 16, 8],
  numSamples: 2,
  pos: 1,
  neg: 1,
  imageThreshold: 0,
  flipProb: 0.3,
  rot90Prob: 0.3,
  affine: { prob: 1, rotateRange: [0, 0, Math.PI / 15], scaleRange: [0.1, 0.1, 0.1] },
  intensity: { prob: 0.5, scale: 0.1, shift: 0.1 },
  placement: "workers",
};
