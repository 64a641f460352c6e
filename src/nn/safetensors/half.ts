// float16 and bfloat16 travel as raw 16-bit patterns (Uint16Array); these convert them to and
// from numbers, rounding to nearest even as PyTorch does.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

export function numberToBfloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function numberToFloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  let a = Math.abs(Math.fround(value));
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest finite half
  if (a < 2 ** -14) {
    // Subnormal: a multiple of 2^-24, rounded to nearest even.
    a = a * 2 ** 24;
    let m = Math.floor(a);
    const r = a - m;
    if (r > 0.5 || (r === 0.5 && m & 1)) m++;
    return sign | m;
  }
  let exp = Math.floor(Math.log2(a));
  if (2 ** exp > a) exp--;
  if (2 ** (exp + 1) <= a) exp++;
  const scaled = (a / 2 ** exp - 1) * 1024;
  let frac = Math.floor(scaled);
  const r = scaled - frac;
  if (r > 0.5 || (r === 0.5 && frac & 1)) frac++;
  if (frac === 1024) {
    frac = 0;
    exp++;
  }
  if (exp + 15 >= 0x1f) return sign | 0x7c00;
  return sign | ((exp + 15) << 10) | frac;
}
