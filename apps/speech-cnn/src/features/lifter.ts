/**
 * Cepstral smoothing of a log-mel spectrogram: each frame's dB across the bands is taken to the cepstrum (DCT-II),
 * every coefficient from `keep` on is dropped, and it comes back (inverse DCT). What survives is the spectral
 * envelope, formants and tilt, as MFCCs keep it; the fine ripple across bands, a voice's pitch harmonics, goes, so
 * a low and a high voice saying one word look more alike. The input keeps its shape: [frames x bands] dB.
 */

const cache = new Map<string, Float64Array>();

/** The bands x bands matrix that projects a frame onto its first `keep` DCT-II components (orthonormal basis). */
function projection(bands: number, keep: number): Float64Array {
  const key = `${bands}:${keep}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const basis = Array.from({ length: keep }, (_, k) =>
    Float64Array.from({ length: bands }, (_, b) => Math.sqrt((k === 0 ? 1 : 2) / bands) * Math.cos((Math.PI * k * (b + 0.5)) / bands)),
  );
  const p = new Float64Array(bands * bands);
  for (const v of basis) for (let i = 0; i < bands; i++) for (let j = 0; j < bands; j++) p[i * bands + j] = (p[i * bands + j] as number) + (v[i] as number) * (v[j] as number);
  cache.set(key, p);
  return p;
}

/** Keeps the first `keep` cepstral coefficients of every frame (see above); `keep` >= bands returns the input. */
export function lifter(data: Float32Array, frames: number, bands: number, keep: number): Float32Array {
  if (!(Number.isInteger(keep) && keep >= 1)) throw new RangeError(`lifter: keep must be a whole number >= 1, got ${keep}`);
  if (keep >= bands) return data;
  const p = projection(bands, keep);
  const out = new Float32Array(frames * bands);
  for (let t = 0; t < frames; t++) {
    const row = t * bands;
    for (let i = 0; i < bands; i++) {
      let s = 0;
      for (let j = 0; j < bands; j++) s += (p[i * bands + j] as number) * (data[row + j] as number);
      out[row + i] = s;
    }
  }
  return out;
}
