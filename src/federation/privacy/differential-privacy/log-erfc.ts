// log(erfc(x)) without underflow: the accountant needs it far into the tail (x of 10^2 and more),
// where erfc itself is below the smallest double.

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** erf(x) by its Maclaurin series: accurate to ~1e-14 for |x| <= 2.5. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * log(erfc(x) * exp(x^2) * sqrt(pi)) for x >= 2.5, by the continued fraction
 * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (modified Lentz).
 */
function logScaledErfcTail(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -Math.log(f);
}

export function logErfc(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (x < 2.5) return Math.log(x < -2.5 ? 2 - Math.exp(logErfc(-x)) : 1 - erfSeries(x));
  return -x * x - LOG_SQRT_PI + logScaledErfcTail(x);
}
