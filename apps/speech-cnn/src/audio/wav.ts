import wavefile from 'wavefile';
import { DataError } from '@cnn-lab/core';
import { resample } from './resample.js';

const { WaveFile } = wavefile;

/** Mono samples in [-1, 1] at a known rate. */
export interface Audio {
  samples: Float32Array;
  sampleRate: number;
}

export interface DecodeOptions {
  /** Resample to this rate (Hz); leave out to keep the file's own rate. */
  sampleRate?: number;
  /** Longer recordings are rejected: a spoken word is short, and a huge file would stall a batch. */
  maxSeconds?: number;
}

export const DEFAULT_MAX_SECONDS = 30;

/** Full-scale value of each integer PCM depth, so every format lands in [-1, 1]. */
function scaleFor(bitDepth: string): { offset: number; scale: number } | undefined {
  switch (bitDepth) {
    case '8':
      return { offset: 128, scale: 128 }; // 8-bit WAV is unsigned
    case '16':
      return { offset: 0, scale: 32768 };
    case '24':
      return { offset: 0, scale: 8388608 };
    case '32':
      return { offset: 0, scale: 2147483648 };
    case '32f':
    case '64':
      return { offset: 0, scale: 1 };
    default:
      return undefined;
  }
}

type WaveFileT = InstanceType<typeof WaveFile>;
interface DataChunk {
  chunkSize: number;
  samples: Uint8Array;
}
interface FmtChunk {
  sampleRate: number;
  numChannels: number;
}

function parse(bytes: Uint8Array, name: string): WaveFileT {
  if (bytes.length === 0) throw new DataError(name, 'empty file (expected a WAV file)');
  let wav: WaveFileT;
  try {
    wav = new WaveFile(bytes);
  } catch (err) {
    throw new DataError(name, `not a readable WAV file (${(err as Error).message})`);
  }
  const data = wav.data as DataChunk;
  if (data.samples.length < data.chunkSize) {
    throw new DataError(
      name,
      `truncated WAV: header promises ${data.chunkSize} bytes of audio, file holds ${data.samples.length}`,
    );
  }
  // Compressed telephony codecs are decoded to 16-bit PCM by wavefile itself.
  if (wav.bitDepth === '8a') wav.fromALaw();
  else if (wav.bitDepth === '8m') wav.fromMuLaw();
  else if (wav.bitDepth === '4') wav.fromIMAADPCM();
  return wav;
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit, 32/64-bit float, A-law, mu-law, IMA ADPCM; any channel count, mixed
 * down to mono by averaging) to samples in [-1, 1], resampled to `sampleRate` if given. Throws a DataError naming
 * the file for anything that is not a usable recording.
 */
export function decodeWav(bytes: Uint8Array, name: string, opts: DecodeOptions = {}): Audio {
  const wav = parse(bytes, name);
  const fmt = wav.fmt as FmtChunk;
  const depth = scaleFor(wav.bitDepth);
  if (!depth)
    throw new DataError(name, `unsupported WAV sample format '${wav.bitDepth}' (expected PCM 8/16/24/32-bit or float)`);
  if (!(fmt.sampleRate > 0) || !(fmt.numChannels > 0))
    throw new DataError(name, 'WAV header has no sample rate or channels');
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const channels = fmt.numChannels === 1 ? [raw as Float64Array] : (raw as Float64Array[]);
  const n = channels[0]?.length ?? 0;
  if (n === 0) throw new DataError(name, 'WAV file holds no audio samples');
  const seconds = n / fmt.sampleRate;
  const maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_SECONDS;
  if (seconds > maxSeconds) {
    throw new DataError(name, `recording too long: ${seconds.toFixed(1)} s (at most ${maxSeconds} s expected)`);
  }
  const mono = new Float32Array(n);
  const k = 1 / (depth.scale * channels.length);
  for (const ch of channels)
    for (let i = 0; i < n; i++) mono[i] = (mono[i] as number) + ((ch[i] as number) - depth.offset) * k;
  const rate = opts.sampleRate ?? fmt.sampleRate;
  return { samples: resample(mono, fmt.sampleRate, rate), sampleRate: rate };
}

/** Encodes mono float samples as a 16-bit PCM WAV (for fixtures and for the page's recordings). */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++)
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round((samples[i] as number) * 32767)));
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, '16', pcm);
  return wav.toBuffer();
}
