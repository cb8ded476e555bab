import { Rng } from '@cnn-lab/core';

/**
 * Sounds that hold no word, made in code from a seed: what the model's "unknown" class trains on beside non-digit
 * words, and what the rejection is measured on. Each is scaled to an RMS level in dB below full scale.
 */
export const NOISE_KINDS = ['white', 'pink', 'brown', 'hum', 'clicks'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

function scaleTo(x: Float32Array, rmsDb: number): Float32Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length || 1;
  let power = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = (x[i] as number) - mean;
    power += (x[i] as number) ** 2;
  }
  const rms = Math.sqrt(power / (x.length || 1));
  if (rms === 0) return x;
  const g = 10 ** (rmsDb / 20) / rms;
  for (let i = 0; i < x.length; i++) x[i] = Math.max(-1, Math.min(1, (x[i] as number) * g));
  return x;
}

function white(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Pink (1/f) noise: Paul Kellet's filter of white noise (accurate to about 0.05 dB above 9 Hz at 44.1 kHz). */
function pink(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.normal();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return out;
}

/** Brown (1/f^2) noise: leaky integration of white noise. */
function brown(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + rng.normal() * 0.1;
    out[i] = y;
  }
  return out;
}

/** Mains hum: 50 or 60 Hz and its harmonics up to about 1 kHz, falling off, with a little white noise. */
function hum(n: number, sampleRate: number, rng: Rng): Float32Array {
  const f0 = rng.next() < 0.5 ? 50 : 60;
  const out = white(n, rng).map((v) => v * 0.02);
  const tilt = rng.uniform(0.5, 1.5);
  for (let h = 1; h * f0 < Math.min(1000, sampleRate / 2); h++) {
    const amp = rng.uniform(0.3, 1) / h ** tilt;
    const phase = rng.uniform(0, 2 * Math.PI);
    const w = (2 * Math.PI * h * f0) / sampleRate;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + amp * Math.sin(w * i + phase);
  }
  return out;
}

/** Clicks and pops: a few decaying impulses (2-10 per second) over quiet white noise. */
function clicks(n: number, sampleRate: number, rng: Rng): Float32Array {
  const out = white(n, rng).map((v) => v * 0.01);
  const count = Math.max(1, Math.round((n / sampleRate) * rng.uniform(2, 10)));
  for (let c = 0; c < count; c++) {
    const at = rng.int(n);
    const amp = rng.uniform(0.3, 1) * (rng.next() < 0.5 ? -1 : 1);
    const decay = Math.exp(-1 / (sampleRate * rng.uniform(0.0005, 0.005)));
    let a = amp;
    for (let i = at; i < n && Math.abs(a) > 1e-4; i++, a *= decay)
      out[i] = (out[i] as number) + a * (rng.normal() * 0.5 + 1);
  }
  return out;
}

/** `seconds` of noise of one kind at an RMS level of `rmsDb` dBFS. */
export function makeNoise(kind: NoiseKind, seconds: number, sampleRate: number, rmsDb: number, rng: Rng): Float32Array {
  const n = Math.max(1, Math.round(seconds * sampleRate));
  const raw =
    kind === 'white'
      ? white(n, rng)
      : kind === 'pink'
        ? pink(n, rng)
        : kind === 'brown'
          ? brown(n, rng)
          : kind === 'hum'
            ? hum(n, sampleRate, rng)
            : clicks(n, sampleRate, rng);
  return scaleTo(raw, rmsDb);
}

/** A quiet room: digital silence (`rmsDb` null) or white noise at `rmsDb` dBFS. */
export function makeSilence(seconds: number, sampleRate: number, rmsDb: number | null, rng: Rng): Float32Array {
  const n = Math.max(1, Math.round(seconds * sampleRate));
  return rmsDb === null ? new Float32Array(n) : scaleTo(white(n, rng), rmsDb);
}

/** One noise or silence recording to write: a file name and its samples. */
export interface Negative {
  name: string;
  group: 'noise' | 'silence';
  samples: Float32Array;
}

/**
 * The seeded set of noise recordings for one part: `count` of each kind, 0.5-2 s long, at -45 to -10 dBFS RMS; and
 * `silences` silent ones at each level of `silenceLevels` (null: digital silence). Train and test differ by seed.
 */
export function makeNegatives(opts: {
  seed: number;
  sampleRate: number;
  count: number;
  silences: number;
  silenceLevels: ReadonlyArray<number | null>;
}): Negative[] {
  const rng = new Rng(opts.seed);
  const out: Negative[] = [];
  for (const kind of NOISE_KINDS) {
    for (let i = 0; i < opts.count; i++) {
      const level = rng.uniform(-45, -10);
      out.push({
        name: `${kind}-${i}`,
        group: 'noise',
        samples: makeNoise(kind, rng.uniform(0.5, 2), opts.sampleRate, level, rng),
      });
    }
  }
  for (const level of opts.silenceLevels) {
    for (let i = 0; i < opts.silences; i++) {
      out.push({
        name: `silence-${level === null ? 'zero' : `${-level}dB`}-${i}`,
        group: 'silence',
        samples: makeSilence(rng.uniform(0.5, 2), opts.sampleRate, level, rng),
      });
    }
  }
  return out;
}
