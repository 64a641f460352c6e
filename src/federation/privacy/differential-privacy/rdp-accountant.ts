// The Renyi-DP accountant of the sampled Gaussian mechanism (Mironov, Talwar and Zhang, "Renyi
// Differential Privacy of the Sampled Gaussian Mechanism", 2019): RDP at each order for sampling
// rate q and noise multiplier z, summed over steps, and turned into (epsilon, delta) with the
// conversion of Balle et al. (AISTATS 2020), as TensorFlow Privacy and Opacus do. No npm package
// offers this (searched: dp-accounting, rdp-accountant, opacus-js do not exist there; the
// `differential-privacy` package is a Laplace mechanism without an accountant), so it is ours and
// is checked against TensorFlow Privacy's published test values and an mpmath integral.

import { logErfc } from "../../../util/normal-tail.js";

/** Orders as TensorFlow Privacy's and Opacus's defaults: a fine grid near 1, then integers. */
export const DEFAULT_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 53 }, (_, k) => 12 + k),
  128,
  256,
  512,
  1024,
];

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

function logSub(a: number, b: number): number {
  if (b === Number.NEGATIVE_INFINITY) return a;
  if (a < b) throw new Error("rdp: log of a negative number");
  if (a === b) return Number.NEGATIVE_INFINITY;
  return a + Math.log(-Math.expm1(b - a));
}

/** log A_alpha for an integer order: a finite binomial sum. */
function logAInteger(q: number, sigma: number, alpha: number): number {
  let out = Number.NEGATIVE_INFINITY;
  let logBinom = 0;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const term =
      logBinom + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * i - i) / (2 * sigma * sigma);
    out = logAdd(out, term);
  }
  return out;
}

/** log A_alpha for a fractional order: two series split at z0, summed until their terms vanish. */
function logAFractional(q: number, sigma: number, alpha: number): number {
  let a0 = Number.NEGATIVE_INFINITY;
  let a1 = Number.NEGATIVE_INFINITY;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let coef = 1; // binom(alpha, i), by its recurrence (its sign alternates once i > alpha)
  for (let i = 0; ; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const t0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
    const t1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
    const e0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const e1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const s0 = t0 + (i * i - i) / (2 * sigma * sigma) + e0;
    const s1 = t1 + (j * j - j) / (2 * sigma * sigma) + e1;
    if (coef > 0) {
      a0 = logAdd(a0, s0);
      a1 = logAdd(a1, s1);
    } else {
      a0 = logSub(a0, s0);
      a1 = logSub(a1, s1);
    }
    if (Math.max(s0, s1) < -30 || i > 100000) break;
  }
  return logAdd(a0, a1);
}

/** RDP at `order` of one step of the Gaussian mechanism with noise multiplier z, sampled at rate q. */
export function rdpOfSampledGaussian(q: number, z: number, order: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`sampling rate must be in [0, 1], got ${q}`);
  if (!(z >= 0)) throw new Error(`noise multiplier must be >= 0, got ${z}`);
  if (!(order > 1)) throw new Error(`RDP orders must be > 1, got ${order}`);
  if (q === 0) return 0;
  if (z === 0 || order === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (q === 1) return order / (2 * z * z);
  const logA = Number.isInteger(order) ? logAInteger(q, z, order) : logAFractional(q, z, order);
  return logA / (order - 1);
}

/** RDP at each order after `steps` steps. */
export function computeRdp(
  q: number,
  z: number,
  steps: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  return orders.map((a) => steps * rdpOfSampledGaussian(q, z, a));
}

export interface PrivacySpent {
  epsilon: number;
  delta: number;
  /** The order that gave the smallest epsilon. */
  order: number;
}

/** The smallest epsilon at `delta` over the orders (Balle et al. 2020, Proposition 12). */
export function epsilonFromRdp(
  rdp: readonly number[],
  delta: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): PrivacySpent {
  if (rdp.length !== orders.length) throw new Error("rdp and orders differ in length");
  if (!(delta > 0 && delta < 1)) throw new Error(`delta must be in (0, 1), got ${delta}`);
  let best = { epsilon: Number.POSITIVE_INFINITY, delta, order: Number.NaN };
  orders.forEach((a, k) => {
    if (rdp[k] < 0) throw new Error(`negative RDP ${rdp[k]} at order ${a}`);
    const eps = rdp[k] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (eps < best.epsilon) best = { epsilon: eps, delta, order: a };
  });
  return { ...best, epsilon: Math.max(0, best.epsilon) };
}

/** One round's mechanism in the ledger. */
export interface LedgerEntry {
  round: number;
  /** Effective noise multiplier of the round's released sum (std / clipping norm). */
  noiseMultiplier: number;
  /** Probability that a given site took part (1: every site, every round). */
  sampleRate: number;
}

/** (epsilon, delta) after every entry of the ledger, composed by adding RDP. */
export function privacySpent(
  ledger: readonly LedgerEntry[],
  delta: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): PrivacySpent {
  const total = orders.map(() => 0);
  for (const e of ledger) {
    const rdp = computeRdp(e.sampleRate, e.noiseMultiplier, 1, orders);
    for (let k = 0; k < total.length; k++) total[k] += rdp[k];
  }
  return epsilonFromRdp(total, delta, orders);
}
