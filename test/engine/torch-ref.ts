// Batched PyTorch reference calls for the engine and nn tests: every case of a test file goes to
// one run of a reference/ script (Python and torch start once, ~1.5 s), through Debian's python3.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runReference } from "../../bench/reference-python.js";
import type { Tensor } from "../../src/engine/index.js";
import { relativeError } from "../helpers/compare.js";

export interface EncodedTensor {
  __tensor__: number[];
  shape: number[];
  dtype: string;
}

/** A tensor as a reference-script argument (values copied, row-major). */
export function T(t: Tensor): EncodedTensor {
  return { __tensor__: t.toList(), shape: t.shape, dtype: t.dtype };
}

/** A torch dtype argument. */
export function D(dtype: string): { __dtype__: string } {
  return { __dtype__: dtype };
}

export interface TorchTensor {
  shape: number[];
  dtype: string;
  values: (number | string)[];
  bits?: number[];
}
export type TorchResult = TorchTensor | TorchResult[] | number | { error: string };

export interface TorchCase {
  id: string;
  fn: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  seed?: number;
}

/** Runs `script` once with a JSON file holding `payload`; returns its parsed JSON stdout. */
export function runJsonReference<R>(script: string, payload: unknown): R {
  const dir = mkdtempSync(join(tmpdir(), "segviz-ref-"));
  try {
    const file = join(dir, "in.json");
    writeFileSync(file, JSON.stringify(payload));
    return JSON.parse(runReference(script, [file])) as R;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runTorchCases(cases: readonly TorchCase[]): Record<string, TorchResult> {
  return runJsonReference<Record<string, TorchResult>>("torch_ops.py", cases);
}

export function refNumbers(values: readonly (number | string)[]): number[] {
  return values.map((v) => (typeof v === "number" ? v : Number(v.replace("inf", "Infinity"))));
}

/** Asserts that a tensor equals a reference tensor: shape, dtype, values within rtol of the reference's scale. */
export function assertTensorMatches(what: string, ours: Tensor, ref: TorchResult, rtol: number): void {
  assert.ok(
    ref !== null && typeof ref === "object" && !Array.isArray(ref),
    `${what}: reference gave ${JSON.stringify(ref)}`,
  );
  assert.ok(!("error" in ref), `${what}: reference failed: ${(ref as { error: string }).error}`);
  const r = ref as TorchTensor;
  assert.deepEqual(ours.shape, r.shape, `${what}: shape`);
  assert.equal(ours.dtype, r.dtype, `${what}: dtype`);
  const expected = refNumbers(r.values);
  const actual = ours.dtype === "float16" ? ours.to({ dtype: "float64" }).toList() : ours.toList();
  if (rtol === 0 || !["float32", "float64", "float16"].includes(ours.dtype)) {
    assert.deepEqual(actual, expected, `${what}: values`);
  } else {
    const e = relativeError(actual, expected);
    assert.ok(e <= rtol, `${what}: relative error ${e.toExponential(3)} > ${rtol}`);
  }
}
