// Resampling speed: the old wavefile path (toSampleRate, sinc + LPF) against src/audio/resample.ts, same inputs, same run.
// Run: pnpm --filter speech-cnn exec tsx bench/resample.ts [runs]   (prints median ms of `runs` runs, default 9)
import wavefile from 'wavefile';
import { resample } from '../src/audio/index.js';

const { WaveFile } = wavefile;
const runs = Number(process.argv[2] ?? 9);

/** What decodeWav did before: wavefile's windowed-sinc resampler with its anti-aliasing low-pass filter. */
function wavefileResample(samples: Float32Array, from: number, to: number): Float32Array {
  const wav = new WaveFile();
  wav.fromScratch(1, from, '32f', samples);
  wav.toSampleRate(to, { method: 'sinc', LPF: true });
  return Float32Array.from(wav.getSamples(false, Float64Array));
}

/** Speech-like test signal: a few harmonics of a gliding pitch plus a little noise. */
function signal(rate: number, seconds: number): Float32Array {
  let phase = 0;
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => {
    phase += (2 * Math.PI * (120 + 60 * Math.sin(i / rate))) / rate;
    return 0.3 * Math.sin(phase) + 0.2 * Math.sin(3 * phase) + 0.1 * Math.sin(7 * phase) + 0.02 * (Math.random() - 0.5);
  });
}

function median(f: () => void): number {
  f(); // warm-up (JIT, kernel table)
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)] as number;
}

const cases: Array<[number, number, number]> = [
  [48000, 2, 8000],
  [22050, 0.8, 8000],
];
const rows = cases.map(([from, seconds, to]) => {
  const x = signal(from, seconds);
  const oldMs = median(() => wavefileResample(x, from, to));
  const newMs = median(() => resample(x, from, to));
  return {
    case: `${seconds} s at ${from} Hz -> ${to} Hz`,
    oldMs: Number(oldMs.toFixed(2)),
    newMs: Number(newMs.toFixed(2)),
    ratio: Number((oldMs / newMs).toFixed(1)),
  };
});
for (const r of rows)
  console.log(`${r.case}: wavefile ${r.oldMs} ms, new ${r.newMs} ms (median of ${runs}), ${r.ratio}x faster`);
console.log(JSON.stringify(rows));
