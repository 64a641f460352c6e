// CPU time of this process, best of n runs after one warm-up: on shared cores wall time measures
// the neighbours, CPU time measures the code.

export function bestCpuMs(fn: () => void, n: number): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}
