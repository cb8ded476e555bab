// Progress of the long verbs (visualize, dream, style, report): one line per update on stderr, overwritten
// in place on a terminal, so stdout keeps only the results (and under --json only the JSON line).

/** A progress printer: at most one line a second unless `force` (the last line, kept on screen). */
export function progressLine(json: boolean): (line: string, force?: boolean) => void {
  const tty = process.stderr.isTTY && !json;
  let last = 0;
  return (line: string, force = false) => {
    const now = Date.now();
    if (!force && now - last < 1000) return;
    last = now;
    process.stderr.write(tty ? `\r${line.padEnd(79)}` : `${line}\n`);
    if (force && tty) process.stderr.write('\n');
  };
}

/** `done/total steps, rate steps/s, ETA s` since `started` (a Date.now() value). */
export function rateEta(done: number, total: number, started: number): string {
  const s = (Date.now() - started) / 1000;
  const rate = done / Math.max(s, 1e-9);
  const eta = rate > 0 ? (total - done) / rate : 0;
  return `${done}/${total} steps, ${rate.toFixed(2)} steps/s, ETA ${eta.toFixed(0)} s`;
}

/** Seconds since `started` (a Date.now() value). */
export function secondsSince(started: number): number {
  return (Date.now() - started) / 1000;
}
