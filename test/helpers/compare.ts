// Numeric comparison helpers for tests against independent references.
import assert from "node:assert/strict";

/** max |a - b| / max(max |b|, floor): the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-12): number {
  assert.equal(actual.length, expected.length, "length mismatch");
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  }
  return maxDiff / Math.max(maxRef, floor);
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  what: string,
  floor = 1e-12,
): void {
  const e = relativeError(actual, expected, floor);
  assert.ok(e <= rtol, `${what}: relative error ${e.toExponential(3)} > ${rtol}`);
}

export function toNumbers(a: ArrayLike<number | bigint>): number[] {
  return Array.from(a, Number);
}
