/**
 * A voice-activity gate: is anything said in this recording at all? It looks only at frame energies (25 ms frames
 * every 10 ms, DC removed): the loudest frame must reach `minPeakDb` dBFS, and stand `minRangeDb` above the quiet
 * frames (the `floorQuantile` quantile of frame energies): a quiet room fails the first, a steady noise (fan, hum,
 * hiss at any level) the second. A word has an onset and an end, so even a recording cut to the word (FSDD) spans
 * more than the threshold between its loudest and quietest frames. The thresholds were set from measurements: see
 * docs/experiments/speech-cnn.md.
 */
export interface GateOptions {
  minPeakDb: number;
  minRangeDb: number;
  floorQuantile: number;
}

export const DEFAULT_GATE: GateOptions = { minPeakDb: -50, minRangeDb: 10, floorQuantile: 0 };

export interface GateReading {
  /** Loudest frame, dB RMS below full scale. */
  peakDb: number;
  /** The quiet frames' level (the floorQuantile quantile), dBFS. */
  floorDb: number;
  /** Whether the gate lets the recording through (something was said). */
  active: boolean;
  /** Seconds [start, end) of the frames within 20 dB of the loudest (empty when not active). */
  voiced: [number, number] | null;
}

/** Frame energies in dBFS (RMS), 25 ms frames every 10 ms; a recording shorter than one frame is one frame. */
export function frameEnergiesDb(samples: Float32Array, sampleRate: number): Float32Array {
  const len = Math.max(1, Math.round(0.025 * sampleRate));
  const hop = Math.max(1, Math.round(0.01 * sampleRate));
  let mean = 0;
  for (const v of samples) mean += v;
  mean /= samples.length || 1;
  const frames = Math.max(1, 1 + Math.floor((samples.length - len) / hop));
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let e = 0;
    const end = Math.min(samples.length, f * hop + len);
    for (let i = f * hop; i < end; i++) e += ((samples[i] as number) - mean) ** 2;
    out[f] = 10 * Math.log10(e / Math.max(1, end - f * hop) + 1e-12);
  }
  return out;
}

export function gateReading(samples: Float32Array, sampleRate: number, opts: GateOptions = DEFAULT_GATE): GateReading {
  const e = frameEnergiesDb(samples, sampleRate);
  const sorted = Float32Array.from(e).sort();
  const peakDb = sorted[sorted.length - 1] as number;
  const floorDb = sorted[Math.min(sorted.length - 1, Math.floor(opts.floorQuantile * sorted.length))] as number;
  const active = peakDb >= opts.minPeakDb && peakDb - floorDb >= opts.minRangeDb;
  let voiced: [number, number] | null = null;
  if (active) {
    const hop = Math.max(1, Math.round(0.01 * sampleRate)) / sampleRate;
    const len = Math.max(1, Math.round(0.025 * sampleRate)) / sampleRate;
    const first = e.findIndex((v) => v >= peakDb - 20);
    let last = e.length - 1;
    while (last > first && (e[last] as number) < peakDb - 20) last--;
    voiced = [first * hop, Math.min(samples.length / sampleRate, last * hop + len)];
  }
  return { peakDb, floorDb, active, voiced };
}
