// Gradient checking against central finite differences in float64: the analytic gradient that
// libtorch's autograd returns through backward() must equal the numeric derivative of the same
// function. Non-scalar outputs are reduced to a scalar with fixed pseudo-random weights, so every
// output element contributes with a different factor.
import assert from "node:assert/strict";
import { noGrad, Tensor, tidy } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/util/mulberry32.js";

export interface GradcheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Check at most this many elements per tensor (spread evenly); all by default. */
  maxPerTensor?: number;
  /** Seed of the output weights. */
  seed?: number;
}

/** A small deterministic PRNG, independent of libtorch's generator. */
export const prng = mulberry32;

/**
 * Checks d(sum(fn() * W))/d(t) for every tensor t in `wrt` (float64 leaves on the CPU, contiguous).
 * fn must recompute from the current values of those tensors; it runs inside tidy.
 * Returns the number of elements checked.
 */
export function gradcheck(
  what: string,
  fn: () => Tensor,
  wrt: readonly (readonly [string, Tensor])[],
  o: GradcheckOptions = {},
): number {
  const eps = o.eps ?? 1e-6;
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-7;
  for (const [name, t] of wrt) {
    assert.equal(t.dtype, "float64", `${what}: ${name} must be float64 for a gradcheck`);
    t.requiresGrad = true;
    t.grad = null;
  }
  // Fixed output weights, drawn once from the output's size.
  const outShape = tidy(() => noGrad(() => fn()).shape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const rnd = prng(o.seed ?? 1234);
  const weights = Float64Array.from({ length: n }, () => rnd() * 2 - 1);
  const objective = (): Tensor => {
    const y = fn();
    assert.equal(y.dtype, "float64", `${what}: output is ${y.dtype}, not float64`);
    return y.mul(Tensor.fromArray(weights, outShape)).sum();
  };

  tidy(() => objective().backward());
  const analytic = wrt.map(([name, t]) => {
    const g = t.grad;
    assert.ok(g !== null, `${what}: no gradient reached ${name}`);
    const a = g.toArray<"float64">();
    g.dispose();
    return a;
  });

  let checked = 0;
  const failures: string[] = [];
  noGrad(() => {
    wrt.forEach(([name, t], ti) => {
      const data = t.sharedView<"float64">();
      const count = data.length;
      const limit = Math.min(count, o.maxPerTensor ?? count);
      const step = count / limit;
      for (let k = 0; k < limit; k++) {
        const i = Math.floor(k * step);
        const orig = data[i]!;
        data[i] = orig + eps;
        const fPlus = tidy(() => objective().item());
        data[i] = orig - eps;
        const fMinus = tidy(() => objective().item());
        data[i] = orig;
        const numeric = (fPlus - fMinus) / (2 * eps);
        const a = analytic[ti]![i]!;
        checked++;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric)) && failures.length < 8) {
          failures.push(`${name}[${i}]: analytic ${a}, numeric ${numeric}`);
        }
      }
    });
  });
  for (const [, t] of wrt) t.grad = null;
  assert.deepEqual(
    failures,
    [],
    `${what}: gradients differ from finite differences:\n${failures.join("\n")}`,
  );
  return checked;
}
