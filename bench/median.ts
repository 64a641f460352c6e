// The benchmarks' summary of repeated timings.

/** The middle value of xs (the upper one of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
