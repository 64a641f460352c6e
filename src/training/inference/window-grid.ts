// Where the windows of a sliding-window pass start, as MONAI's _get_scan_interval and
// dense_patch_slices: stride roi * (1 - overlap) (the whole axis when roi equals it), the last
// window shifted back to end at the border, starts enumerated with the first axis slowest.

export function scanInterval(image: readonly number[], roi: readonly number[], overlap: number): number[] {
  if (!(overlap >= 0 && overlap < 1))
    throw new Error(`sliding window: overlap must be in [0, 1), got ${overlap}`);
  return image.map((size, i) => {
    const r = roi[i]!;
    if (r === size) return r;
    const interval = Math.floor(r * (1 - overlap));
    return interval > 0 ? interval : 1;
  });
}

export function windowStarts(
  image: readonly number[],
  roi: readonly number[],
  interval: readonly number[],
): number[][] {
  const perAxis = image.map((size, d) => {
    const r = roi[d]!;
    const step = interval[d]!;
    const starts: number[] = [];
    for (let idx = 0; ; idx++) {
      const start = Math.min(idx * step, size - r);
      starts.push(start);
      if (idx * step + r >= size) break;
    }
    return starts;
  });
  const out: number[][] = [];
  const rec = (d: number, prefix: number[]) => {
    if (d === perAxis.length) {
      out.push(prefix);
      return;
    }
    for (const s of perAxis[d]!) rec(d + 1, [...prefix, s]);
  };
  rec(0, []);
  return out;
}
