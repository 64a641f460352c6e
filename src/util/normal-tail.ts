// Tail probabilities of the standard normal distribution (the study's p-values, the DP accountant), accurate to about 1e-15 relative far
// into the tail (p-values of large samples reach 1e-100 and below, and are compared, not rounded).
//
// erfc(x) for x >= 0 comes from one of two expansions, each used where it converges fast:
// - x < 0.5: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)), a series of
//   positive terms (no cancellation), and erfc = 1 - erf;
// - x >= 0.5: the continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
//   evaluated with the modified Lentz method (about 700 terms at 0.5, 60 at 2, under 20 beyond 5).
// exp(-x^2) is taken as exp(-h^2) exp(-(x - h)(x + h)) with h = x rounded to 1/16, so h^2 is exact
// and the rounding of x^2, which the exponential would amplify 700-fold near x = 26, does not count.

const SQRT_PI = Math.sqrt(Math.PI);
const TINY = 1e-300;

/** The complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x > 27.3) return 0; // below the smallest double
  return (expMinusSquare(x) / SQRT_PI) * continuedFraction(x);
}

/**
 * log(erfc(x)), finite far past where erfc itself underflows (x > 27): the Renyi-DP accountant's
 * terms reach x of 10^2 and more.
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (x < 0.5) return Math.log(erfc(x));
  return -x * x - Math.log(SQRT_PI) + Math.log(continuedFraction(x));
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

/** Two-sided p-value of a standard normal statistic: P(|Z| >= |z|). */
export function twoSidedNormalPValue(z: number): number {
  return erfc(Math.abs(z) * Math.SQRT1_2);
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** exp(-x^2) without the rounding error of x^2. */
function expMinusSquare(x: number): number {
  const h = Math.round(x * 16) / 16;
  return Math.exp(-h * h) * Math.exp(-(x - h) * (x + h));
}

/** 1 / (x + a1/(x + a2/(x + ...))) with a_n = n / 2, by the modified Lentz method. */
function continuedFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? TINY : d;
    c = x + a / c;
    c = c === 0 ? TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}
