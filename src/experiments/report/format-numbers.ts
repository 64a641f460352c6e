// Number formatting shared by the terminal table and the HTML report, so both show the same text.

export const DASH = "—";

/** Fixed decimals, "—" for null or non-finite; a value that rounds to zero loses its minus sign. */
export function fixed(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** Like fixed, with an explicit "+" on positive values (differences). */
export function signedFixed(value: number | null | undefined, decimals: number): string {
  const text = fixed(value, decimals);
  return text !== DASH && !text.startsWith("-") && Number(text) !== 0 ? `+${text}` : text;
}

/** "mean ± std", the mean alone when std is undefined (one case), "—" without a mean. */
export function meanStd(mean: number | null, std: number | null, decimals: number): string {
  if (mean === null || !Number.isFinite(mean)) return DASH;
  if (std === null || !Number.isFinite(std)) return fixed(mean, decimals);
  return `${fixed(mean, decimals)} ± ${fixed(std, decimals)}`;
}

/** p-values: three significant digits, exponent notation below 0.001 (no runs of zeros). */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  return p !== 0 && p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
}

/** Integers with thousands separators, independent of the machine's locale. */
export function formatInteger(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  return fixed(seconds, 1);
}
