// Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten), after Heckbert's "Nice numbers for
// graph labels" (Graphics Gems, 1990): the axis is widened to whole steps around the data.

export interface Ticks {
  /** Axis range, whole steps around the data. */
  min: number;
  max: number;
  step: number;
  values: number[];
  /** Decimals that show every tick exactly (for labels). */
  decimals: number;
}

function niceNumber(x: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(x));
  const fraction = x / 10 ** exponent;
  let nice: number;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * 10 ** exponent;
}

/**
 * About `count` ticks covering [lo, hi]; a degenerate range is widened around its value. With
 * `integer`, steps are whole numbers (epochs and rounds have no halves).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new Error(`niceTicks: non-finite range [${lo}, ${hi}]`);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = integer ? 1 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const range = niceNumber(hi - lo, false);
  const step = Math.max(integer ? 1 : 0, niceNumber(range / Math.max(1, count - 1), true));
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  // Rounding to the step's decimals removes floating-point residue (0.30000000000000004).
  const snap = (v: number) => Number(v.toFixed(decimals));
  const min = snap(Math.floor(lo / step) * step);
  const max = snap(Math.ceil(hi / step) * step);
  const values: number[] = [];
  const n = Math.round((max - min) / step);
  for (let i = 0; i <= n; i++) values.push(snap(min + i * step));
  return { min, max, step, values, decimals };
}

export function formatTick(value: number, ticks: Ticks): string {
  return value.toFixed(ticks.decimals);
}
