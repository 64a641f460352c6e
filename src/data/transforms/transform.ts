// Composable transforms over a sample: a dict of named spatial tensors ({image, label}), each
// transform told which keys it applies to. Random transforms draw from the context's seeded Rng,
// so the same seed gives the same output. A transform may turn one sample into several (random
// crops); later transforms then run on each.

import { disposeAll, tidy } from "../../engine/index.js";
import { Rng } from "./rng.js";
import type { SpatialTensor } from "./spatial-tensor.js";

export type Sample = Record<string, SpatialTensor>;

interface TransformContext {
  rng: Rng;
}

export type Transform = (sample: Sample, ctx: TransformContext) => Sample | Sample[];

/** The item under `key`, or an Error naming the transform and the missing key. */
export function itemOf(sample: Sample, key: string, transform: string): SpatialTensor {
  const item = sample[key];
  if (item === undefined) {
    throw new Error(
      `${transform}: sample has no key "${key}" (keys: ${Object.keys(sample).join(", ") || "none"})`,
    );
  }
  return item;
}

/** A copy of the sample with `key` replaced. */
function withItem(sample: Sample, key: string, item: SpatialTensor): Sample {
  return { ...sample, [key]: item };
}

/** Applies fn to each of the keys, in order. */
export function mapKeys(
  sample: Sample,
  keys: readonly string[],
  transform: string,
  fn: (item: SpatialTensor, key: string, index: number) => SpatialTensor,
): Sample {
  let out = sample;
  keys.forEach((key, index) => {
    out = withItem(out, key, fn(itemOf(sample, key, transform), key, index));
  });
  return out;
}

function asList(r: Sample | readonly Sample[]): Sample[] {
  return Array.isArray(r) ? [...(r as readonly Sample[])] : [r as Sample];
}

/** One transform made of several, run in order. */
export function compose(transforms: readonly Transform[]): Transform {
  return (sample, ctx) => {
    let samples = [sample];
    for (const t of transforms) samples = samples.flatMap((s) => asList(t(s, ctx)));
    return samples.length === 1 ? samples[0] : samples;
  };
}

/**
 * Runs a transform on a sample it takes ownership of: input tensors that do not reach the output
 * are disposed, and so is every intermediate. `seed` (or an Rng) fixes the random choices.
 */
export function applyTransform(transform: Transform, sample: Sample, seed: number | Rng): Sample[] {
  const out = runTransformOn(transform, sample, seed);
  const kept = new Set(out.flatMap((s) => Object.values(s).map((item) => item.data)));
  for (const item of Object.values(sample)) if (!kept.has(item.data)) item.data.dispose();
  return out;
}

/**
 * Runs a transform on a sample it does not own (e.g. a volume kept on a device): the sample's
 * tensors are left alone and intermediates are disposed. An output may be, or share memory
 * with, an input tensor, so the caller disposes only the outputs that are not inputs.
 */
export function runTransformOn(transform: Transform, sample: Sample, seed: number | Rng): Sample[] {
  const ctx = { rng: typeof seed === "number" ? new Rng(seed) : seed };
  return tidy(() => asList(transform(sample, ctx)));
}

/** Disposes every tensor in the samples. */
export function disposeSamples(samples: Sample | readonly Sample[]): void {
  const list = asList(samples);
  disposeAll(list.map((s) => Object.values(s).map((item) => item.data)));
}
