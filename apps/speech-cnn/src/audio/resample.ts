/**
 * Band-limited sample-rate conversion: a Kaiser-windowed sinc low-pass FIR evaluated polyphase, i.e. only at the
 * output instants, from a table of the filter's phases built once per rate pair. About 20x faster than wavefile's.
 *
 * Why hand-written rather than a library (the project prefers npm libraries): wavefile's `toSampleRate` (and
 * wave-resampler, the same code), used here before, runs an IIR low-pass over the input and then recomputes a
 * windowed sinc for every output sample: ~300-500 ms for 2 s at 48 kHz. The fast, kept-up packages are WebAssembly
 * builds (@alexanderolsen/libsamplerate-js, @echogarden/speex-resampler-wasm) whose modules load asynchronously,
 * which would make `decodeWav` async for every caller; libsamplerate-js's fastest sinc mode also measured ~23 ms
 * here (its best one ~180 ms) and can come out a sample short. Of the pure-JS ones, @purinton/resampler converts
 * 16-bit PCM buffers only and ndarray-resample is FFT-based (circular edges, ndarray/cwise dependencies).
 *
 * The filter: cutoff (-6 dB) at the lower of the two Nyquist frequencies, a transition band of +-TRANSITION of it,
 * STOPBAND_DB of attenuation beyond (Kaiser's formulas give the window's beta and length). Going down, content from
 * 1.1x the new Nyquist up is removed (at 8 kHz: flat to 3.6 kHz, -6 dB at 4 kHz, -80 dB from 4.4 kHz; only
 * 4-4.4 kHz, partly attenuated, folds into the 3.6-4 kHz edge, as with wavefile's filter); going up, the spectral
 * images above the old Nyquist are removed the same way. Samples outside the recording count as zero.
 */

/** Stopband attenuation (dB): far below what 16-bit audio (~96 dB) or a log-mel floor can show. */
const STOPBAND_DB = 80;
/** Half-width of the transition band as a fraction of the cutoff: flat to 0.9 Nyquist, stopped from 1.1 Nyquist. */
const TRANSITION = 0.1;
/**
 * Rates further apart than this are refused: the filter grows with the ratio (about 50 taps per unit of it), so
 * a header claiming 400 MHz would need a table of gigabytes. 384 kHz -> 8 kHz is 48x.
 */
export const MAX_RATE_RATIO = 64;
/** Phase tables up to this many phases are exact (the rate ratio reduced to L/M, L phases); others interpolate. */
const MAX_EXACT_PHASES = 4096;
/** ...and only while the exact table stays under this many coefficients (8 MiB), which only odd rate pairs exceed. */
const MAX_EXACT_TABLE = 1 << 21;
/** Phases of the table used, with linear interpolation between them, when the ratio is not a small fraction. */
const INTERPOLATED_PHASES = 512;

interface Kernel {
  /** Taps per phase: output sample j at input position t = i + f sums x[i + o] * row_f[o + half] for o in [-half, half + 1]. */
  half: number;
  taps: number;
  /** Rows of `taps` coefficients, phase p (fraction f = p / phases) at offset p * taps; one extra row for f = 1. */
  table: Float32Array;
  phases: number;
  /** Reduced ratio to/from = up/down when exact; 0 when interpolating. */
  up: number;
  down: number;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges quickly for the betas used here). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let sum = 1;
  let term = 1;
  for (let k = 1; term > sum * 1e-16; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function buildKernel(from: number, to: number): Kernel {
  // All frequencies in cycles per input sample.
  const cutoff = (0.5 * Math.min(from, to)) / from;
  const width = 2 * TRANSITION * cutoff;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const length = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * width);
  const halfWidth = length / 2; // in input samples
  const half = Math.ceil(halfWidth);
  const taps = 2 * half + 2;
  let up = 0;
  let down = 0;
  let phases = INTERPOLATED_PHASES;
  if (Number.isInteger(from) && Number.isInteger(to)) {
    const g = gcd(from, to);
    if (to / g <= MAX_EXACT_PHASES && (to / g + 1) * taps <= MAX_EXACT_TABLE)
      [up, down, phases] = [to / g, from / g, to / g];
  }
  const table = new Float32Array((phases + 1) * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p <= phases; p++) {
    const f = p / phases;
    const row = table.subarray(p * taps, (p + 1) * taps);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = f - (k - half); // distance from the output instant to input sample i + o, o = k - half
      if (Math.abs(t) >= halfWidth) continue;
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = t / halfWidth;
      const v = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
      row[k] = v;
      sum += v;
    }
    // Unit gain at DC for every phase, so a constant stays constant whatever the fractional position.
    for (let k = 0; k < taps; k++) row[k] = (row[k] as number) / sum;
  }
  return { half, taps, table, phases, up, down };
}

/** A few recent rate pairs: a batch of files usually shares one, and a table costs ~1 ms to build. */
const kernels = new Map<string, Kernel>();

function kernelFor(from: number, to: number): Kernel {
  const key = `${from}>${to}`;
  let k = kernels.get(key);
  if (!k) {
    k = buildKernel(from, to);
    if (kernels.size >= 8) kernels.delete(kernels.keys().next().value as string);
    kernels.set(key, k);
  }
  return k;
}

/**
 * Resamples mono `samples` from `from` Hz to `to` Hz: round(n * to / from) samples, output sample j taken at input
 * position j * from / to. Returns `samples` itself when the rates match.
 */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (!(from > 0) || !(to > 0) || !Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`sample rates must be positive and finite (got ${from} -> ${to})`);
  }
  if (from === to || samples.length === 0) return samples;
  if (from / to > MAX_RATE_RATIO || to / from > MAX_RATE_RATIO) {
    throw new RangeError(
      `cannot resample ${from} Hz -> ${to} Hz: the rates are more than ${MAX_RATE_RATIO}x apart (the filter would grow with the ratio)`,
    );
  }
  const n = samples.length;
  const out = new Float32Array(Math.round((n * to) / from));
  const { half, taps, table, phases, up, down } = kernelFor(from, to);
  const step = from / to;
  for (let j = 0; j < out.length; j++) {
    let i: number; // output sample j sits at input position i + p / phases (+ w / phases when interpolating)
    let p: number;
    let w = 0;
    if (up) {
      const num = j * down; // exact integer arithmetic: j * from / to = j * down / up
      i = Math.floor(num / up);
      p = num - i * up;
    } else {
      const ph = j * step * phases;
      p = Math.floor(ph);
      w = ph - p;
      i = Math.floor(p / phases);
      p -= i * phases;
    }
    // table[c] weighs samples[s], walking o = lo..hi with c = p * taps + half + o and s = i + o.
    const lo = Math.max(-half, -i);
    const hi = Math.min(half + 1, n - 1 - i);
    let c = p * taps + half + lo;
    const end = i + hi;
    let acc = 0;
    if (w === 0) {
      for (let s = i + lo; s <= end; s++, c++) acc += (samples[s] as number) * (table[c] as number);
    } else {
      // Between phase rows p and p + 1 (the table's extra last row makes p + 1 = phases valid).
      for (let s = i + lo; s <= end; s++, c++) {
        const a = table[c] as number;
        acc += (samples[s] as number) * (a + ((table[c + taps] as number) - a) * w);
      }
    }
    out[j] = acc;
  }
  return out;
}
