/**
 * Speaking-rate normalisation: the word's frames are stretched or squeezed in time to fill the whole input, so a
 * slow speaker's "seven" and a fast one's line up frame for frame (a freq filter spans every frame, so it compares
 * whole-word templates and is otherwise thrown by tempo). Pitch and formants are untouched: this works on the
 * spectrogram's rows, not on the waveform.
 */
import type { Spectrogram } from './logmel.js';

/** Which frames belong to the word: their loudest band is within `activeDb` of the clip's loudest cell. */
export function activeFrames(spec: Spectrogram, activeDb: number): boolean[] {
  let max = -Infinity;
  for (const v of spec.data) if (v > max) max = v;
  return Array.from({ length: spec.frames }, (_, t) => {
    let top = -Infinity;
    for (let b = 0; b < spec.bands; b++) top = Math.max(top, spec.data[t * spec.bands + b] as number);
    return top >= max - activeDb;
  });
}

/** The first and one-past-last active frame, or null when none is. */
export function activeSpan(active: readonly boolean[]): [number, number] | null {
  const first = active.indexOf(true);
  if (first < 0) return null;
  return [first, active.lastIndexOf(true) + 1];
}

/**
 * Resamples rows [from, to) of a [frames x bands] row-major array onto all `frames` rows by linear interpolation
 * (row centres map onto row centres, so a one-row span is repeated and the span's end rows land on the output's).
 */
export function stretchRows(data: Float32Array, frames: number, bands: number, from: number, to: number): Float32Array {
  if (!(from >= 0 && to <= frames && to > from))
    throw new RangeError(`stretchRows: need 0 <= from < to <= ${frames}, got ${from}..${to}`);
  const out = new Float32Array(frames * bands);
  const span = to - from;
  for (let t = 0; t < frames; t++) {
    const pos = frames > 1 ? from + ((span - 1) * t) / (frames - 1) : from;
    const k = Math.min(Math.floor(pos), to - 1);
    const f = pos - k;
    const next = Math.min(k + 1, to - 1);
    for (let b = 0; b < bands; b++) {
      out[t * bands + b] = (data[k * bands + b] as number) * (1 - f) + (data[next * bands + b] as number) * f;
    }
  }
  return out;
}
