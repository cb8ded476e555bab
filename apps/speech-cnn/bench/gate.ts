// The voice-activity gate's two measures (loudest frame, dBFS; loudest minus quiet frames, dB) over folders of
// recordings, as quantiles, and the share each folder would have let through at the default thresholds: the
// numbers the gate's thresholds were set from.
//   pnpm --filter speech-cnn exec tsx bench/gate.ts <folder> [<folder> ...]
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeWav } from '../src/audio/index.js';
import { DEFAULT_GATE, gateReading } from '../src/features/vad.js';

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
for (const arg of process.argv.slice(2)) {
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), arg);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wav'));
  const peaks: number[] = [];
  const ranges: number[] = [];
  let active = 0;
  for (const f of files) {
    const a = decodeWav(readFileSync(join(dir, f)), f, { sampleRate: 8000 });
    const r = gateReading(a.samples, a.sampleRate);
    peaks.push(r.peakDb);
    ranges.push(r.peakDb - r.floorDb);
    if (r.active) active++;
  }
  const show = (xs: number[]) => [0, 0.01, 0.05, 0.5, 0.95, 1].map((p) => q(xs, p).toFixed(1)).join(' / ');
  console.log(
    `${arg}: ${files.length} files; passed the gate ${active} (${((100 * active) / files.length).toFixed(1)}%)`,
  );
  console.log(`  peak dBFS   min/1%/5%/50%/95%/max: ${show(peaks)}`);
  console.log(`  range dB    min/1%/5%/50%/95%/max: ${show(ranges)}`);
}
console.log(`thresholds: ${JSON.stringify(DEFAULT_GATE)}`);
