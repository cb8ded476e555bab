/**
 * Speaking-rate normalisation: the word's frames are stretched or squeezed in time to fill the whole input, so a
 * slow speaker's "seven" and a fast one's line up frame for frame (a freq filter spans every frame, so it compares
 * whole-word templates and is otherwise thrown by tempo). Pitch and formants are untouched: this works on the
 * spectrogram's rows, not on the waveform.
 */

/** The first and one-past-last active frame, or null when none is. */
export function activeSpan(active: readonly boolean[]): [number, number] | null {
  const first = active.indexOf(true);
  if (first < 0) return null;
  return [first, active.lastIndexOf(true) + 1];
}

/**
 * Resamples rows [from, to) of a [frames x bands] row-major array to the first `into` (default: all `frames`) rows
 * by linear interpolation (row centres map onto row centres, so a one-row span is repeated and the span's end rows
 * land on the output's); rows from `into` on are `fill`.
 */
export function stretchRows(data: Float32Array, frames: number, bands: number, from: number, to: number, into = frames, fill = 0): Float32Array {
  if (!(from >= 0 && to <= frames && to > from)) throw new RangeError(`stretchRows: need 0 <= from < to <= ${frames}, got ${from}..${to}`);
  if (!(Number.isInteger(into) && into >= 1 && into <= frames)) throw new RangeError(`stretchRows: need 1 <= into <= ${frames} rows, got ${into}`);
  const out = new Float32Array(frames * bands).fill(fill, into * bands);
  const span = to - from;
  for (let t = 0; t < into; t++) {
    const pos = into > 1 ? from + ((span - 1) * t) / (into - 1) : from;
    const k = Math.min(Math.floor(pos), to - 1);
    const f = pos - k;
    const next = Math.min(k + 1, to - 1);
    for (let b = 0; b < bands; b++) {
      out[t * bands + b] = (data[k * bands + b] as number) * (1 - f) + (data[next * bands + b] as number) * f;
    }
  }
  return out;
}

/**
 * Tempo perturbation on a [frames x bands] row-major spectrogram: the clip plays `rate` times faster (output row t
 * reads input row t x rate, linearly interpolated), so a word starting at row 0 gets shorter (rate > 1) or longer
 * (rate < 1) while every frame's spectrum, pitch and formants included, is kept. Rows read past the end are `fill`.
 */
export function changeTempo(data: Float32Array, frames: number, bands: number, rate: number, fill: number): Float32Array {
  if (!(rate > 0)) throw new RangeError(`changeTempo: rate must be > 0, got ${rate}`);
  if (rate === 1) return data;
  const out = new Float32Array(frames * bands).fill(fill);
  for (let t = 0; t < frames; t++) {
    const pos = t * rate;
    const k = Math.floor(pos);
    if (k > frames - 1) break;
    const f = pos - k;
    for (let b = 0; b < bands; b++) {
      const next = k + 1 < frames ? (data[(k + 1) * bands + b] as number) : fill;
      out[t * bands + b] = (data[k * bands + b] as number) * (1 - f) + next * f;
    }
  }
  return out;
}

/**
 * How many rows a word of `span` active frames fills when stretched with `keep` (0 <= keep <= 1): frames x
 * (span / frames)^keep. keep 0 fills the input (full speaking-rate normalisation); keep 1 leaves the length as it
 * is; between, a fast and a slow speaker come closer while a short word stays shorter than a long one.
 */
export function stretchedLength(span: number, frames: number, keep: number): number {
  if (!(keep >= 0 && keep <= 1)) throw new RangeError(`stretch keep must be in [0, 1], got ${keep}`);
  return Math.max(1, Math.min(frames, Math.round(frames * (span / frames) ** keep)));
}
