// Structured progress: one JSON line per event on stderr, so stdout stays for results.
export function logLine(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), ...fields })}\n`);
}
