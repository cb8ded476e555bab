// Noise and silence recordings, made in code from a seed, for the "unknown" class (train), for choosing its
// threshold (val) and for measuring the rejection (test), each part with its own seed: white, pink and brown
// noise, mains hum and clicks at -45 to -10 dBFS, and silence from digital zero to -50 dBFS white noise (test only:
// the gate's part).
// 8 kHz 16-bit WAV files, noise/<kind>-<i>.wav and silence/silence-<level>-<i>.wav.
//   pnpm --filter speech-cnn exec tsx scripts/make-noise.ts <out-dir> train|val|test
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeWav16 } from '../src/audio/index.js';
import { makeNegatives } from '../src/data/noise.js';

const [outArg, part] = process.argv.slice(2);
if (!outArg || (part !== 'train' && part !== 'val' && part !== 'test')) {
  process.stderr.write('usage: tsx scripts/make-noise.ts <out-dir> train|val|test\n');
  process.exit(2);
}
const out = resolve(process.env.INIT_CWD ?? process.cwd(), outArg);
const negatives = makeNegatives(
  part === 'train'
    ? { seed: 101, sampleRate: 8000, count: 50, silences: 0, silenceLevels: [] }
    : part === 'val'
      ? { seed: 303, sampleRate: 8000, count: 20, silences: 0, silenceLevels: [] }
      : { seed: 202, sampleRate: 8000, count: 30, silences: 20, silenceLevels: [null, -90, -80, -70, -60, -50] },
);
for (const n of negatives) {
  mkdirSync(join(out, n.group), { recursive: true });
  writeFileSync(join(out, n.group, `${n.name}.wav`), encodeWav16(n.samples, 8000));
}
process.stdout.write(`make-noise: ${negatives.length} files in ${out} (${part})\n`);
