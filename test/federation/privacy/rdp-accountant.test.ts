// The RDP accountant against TensorFlow Privacy's published test values
// (tensorflow_privacy/privacy/analysis/rdp_accountant_test.py) and against an independent
// multi-precision integral of the definition (reference/rdp_mpmath.py), to 1 %.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runReference } from "../../../bench/reference-python.js";
import {
  computeRdp,
  epsilonFromRdp,
  privacySpent,
  rdpOfSampledGaussian,
} from "../../../src/federation/privacy/differential-privacy/rdp-accountant.js";
import { logErfc } from "../../../src/util/normal-tail.js";

const close = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

test("RDP equals TensorFlow Privacy's published values", () => {
  // test_compute_rdp_no_data, _no_sampling, _scalar, _sequence
  assert.equal(computeRdp(0, 10, 1, [20])[0], 0);
  assert.equal(computeRdp(1, 10, 1, [20])[0], 0.1);
  close(computeRdp(0.1, 2, 10, [5])[0], 0.07737, 1e-4, "q 0.1, z 2, 10 steps, order 5");
  const orders = [1.5, 2.5, 5, 50, 100];
  const expected = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307];
  computeRdp(0.01, 2.5, 50, orders).forEach((v, k) => {
    assert.ok(Math.abs(v - expected[k]) < 1e-5, `order ${orders[k]}: ${v} vs ${expected[k]}`);
  });
  assert.equal(rdpOfSampledGaussian(0.01, 2.5, Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
});

test("epsilon from RDP equals TensorFlow Privacy's published values", () => {
  // test_get_privacy_spent_check_target_delta: constant RDP (pure DP) picks the largest order.
  const orders = Array.from({ length: 31 }, (_, k) => k + 2);
  const spent = epsilonFromRdp(
    orders.map(() => 1.1),
    1e-5,
    orders,
  );
  assert.equal(spent.order, 32);
  close(spent.epsilon, 1.32783806176, 1e-9, "pure DP epsilon");
  // The Gaussian mechanism scaled to exactly (1, 1e-6)-DP.
  const fine = Array.from({ length: 99000 }, (_, k) => 0.001 * (k + 1000)).filter((a) => a > 1);
  close(
    epsilonFromRdp(computeRdp(1, 4.530877117, 1, fine), 1e-6, fine).epsilon,
    1,
    1e-3,
    "Gaussian (1, 1e-6)",
  );
  // test_check_composition: an upper bound under the newer conversion.
  const o = [1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 64, 256];
  const a = computeRdp(1e-4, 0.4, 40000, o);
  const b = computeRdp(0.1, 2, 100, o);
  const eps = epsilonFromRdp(
    a.map((v, k) => v + b[k]),
    1e-5,
    o,
  ).epsilon;
  assert.ok(eps <= 8.509656 && eps > 7, `composition epsilon ${eps}`);
});

test("RDP equals an mpmath integral of the definition, for fractional and integer orders", () => {
  const cases: [number, number, number][] = [
    [0.1, 2, 5],
    [0.01, 2.5, 1.5],
    [0.01, 2.5, 2.5],
    [0.01, 2.5, 50],
    [0.05, 1.1, 7.3],
    [0.3, 0.8, 3],
    [0.5, 1.5, 12.5],
    [0.02, 0.7, 32],
  ];
  const reference = JSON.parse(
    runReference(
      "rdp_mpmath.py",
      cases.map((c) => c.join(",")),
    ),
  ) as number[];
  cases.forEach(([q, z, a], k) => {
    close(rdpOfSampledGaussian(q, z, a), reference[k], 0.01, `q ${q} z ${z} order ${a}`);
  });
});

test("a federation's ledger composes rounds: 50 rounds at z 1 with every site is the Gaussian mechanism's", () => {
  const ledger = Array.from({ length: 50 }, (_, k) => ({ round: k + 1, noiseMultiplier: 1, sampleRate: 1 }));
  const spent = privacySpent(ledger, 1e-5);
  // One Gaussian mechanism with z = 1/sqrt(50) has the same RDP curve.
  const single = privacySpent([{ round: 1, noiseMultiplier: 1 / Math.sqrt(50), sampleRate: 1 }], 1e-5);
  close(spent.epsilon, single.epsilon, 1e-9, "composition");
  // And the RDP -> epsilon bound stays above the optimal Gaussian curve (Balle and Wang 2018).
  assert.ok(spent.epsilon > 40 && spent.epsilon < 80, `epsilon ${spent.epsilon}`);
});

test("log erfc holds from the bulk far into the tail", () => {
  close(logErfc(0), 0, 1e-15, "erfc 0");
  close(Math.exp(logErfc(1)), 0.15729920705028513, 1e-13, "erfc 1");
  close(Math.exp(logErfc(-1)), 1.8427007929497148, 1e-13, "erfc -1");
  close(Math.exp(logErfc(3)), 2.209049699858544e-5, 1e-12, "erfc 3");
  // erfc(30) = 2.564656203756111e-393: below the smallest double, fine in log space.
  close(logErfc(30), Math.log(2.564656203756111) - 393 * Math.LN10, 1e-12, "log erfc 30");
});
