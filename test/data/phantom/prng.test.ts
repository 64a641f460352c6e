import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SeededRandom } from "../../../src/data/phantom/index.js";

function draws(rng: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe("SeededRandom", () => {
  test("same seed gives the same sequence, different seeds differ", () => {
    assert.deepEqual(draws(new SeededRandom(42), 100), draws(new SeededRandom(42), 100));
    assert.notDeepEqual(draws(new SeededRandom(42), 100), draws(new SeededRandom(43), 100));
    // Seeds that differ only above 32 bits still differ.
    assert.notDeepEqual(draws(new SeededRandom(1), 10), draws(new SeededRandom(1 + 2 ** 32), 10));
  });

  test("uniform values lie in [0, 1) with mean 1/2 and variance 1/12", () => {
    const rng = new SeededRandom(7);
    let s = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      assert.ok(u >= 0 && u < 1);
      s += u;
      s2 += u * u;
    }
    assert.ok(Math.abs(s / n - 0.5) < 0.005);
    assert.ok(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12) < 0.002);
  });

  test("normal deviates (Box-Muller and table lookup) have mean 0, std 1 and normal tails", () => {
    const n = 200_000;
    const boxMuller = new Float32Array(n);
    new SeededRandom(9).fillNormal(boxMuller);
    const fast = new Float32Array(n);
    new SeededRandom(9).fillNormalFast(fast);
    for (const values of [boxMuller, fast]) {
      let s = 0;
      let s2 = 0;
      let beyond2 = 0;
      for (const v of values) {
        s += v;
        s2 += v * v;
        if (Math.abs(v) > 2) beyond2++;
      }
      assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
      assert.ok(Math.abs(Math.sqrt(s2 / n) - 1) < 0.01, `std ${Math.sqrt(s2 / n)}`);
      // P(|z| > 2) = 4.55%.
      assert.ok(Math.abs(beyond2 / n - 0.0455) < 0.003, `tail ${beyond2 / n}`);
    }
  });

  test("forked streams depend on the label and the parent seed only", () => {
    const a = new SeededRandom(5);
    const before = draws(a.fork("liver"), 20);
    draws(a, 1000);
    assert.deepEqual(draws(a.fork("liver"), 20), before, "drawing from the parent does not move a fork");
    assert.notDeepEqual(draws(a.fork("spleen"), 20), before);
    assert.notDeepEqual(draws(new SeededRandom(6).fork("liver"), 20), before);
  });

  test("rejects a non-finite seed", () => {
    assert.throws(() => new SeededRandom(Number.NaN), RangeError);
  });
});
