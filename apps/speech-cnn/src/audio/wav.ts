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
  audioFormat: number;
  sampleRate: number;
  numChannels: number;
  bitsPerSample: number;
  subformat: number[];
}

/** Sample rates a recording may have: from below telephony (8 kHz) to the highest common studio rate. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384000;
/** More channels than any recording device gives; a header claiming more is damaged. */
export const MAX_CHANNELS = 64;

/** WAV format tags this reader decodes, with the sample formats (wavefile's bit-depth codes) each may carry. */
const FORMATS: Record<number, { name: string; depths: readonly string[]; bits: string }> = {
  0x0001: { name: 'PCM', depths: ['8', '16', '24', '32'], bits: '8, 16, 24 or 32' },
  0x0003: { name: 'IEEE float', depths: ['32f', '64'], bits: '32 or 64' },
  0x0006: { name: 'A-law', depths: ['8a'], bits: '8' },
  0x0007: { name: 'mu-law', depths: ['8m'], bits: '8' },
  0x0011: { name: 'IMA ADPCM', depths: ['4'], bits: '4' },
};
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

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
  return wav;
}

/**
 * Checks the header before any sample is decoded: a format tag this reader knows with a sample format that belongs
 * to it (a WAV tagged MP3 is not PCM), a plausible rate and channel count, and a duration within `maxSeconds`.
 * So the work a file can cause is bounded by its size and these limits, whatever its header says.
 */
function checkHeader(wav: WaveFileT, name: string, maxSeconds: number): void {
  const fmt = wav.fmt as FmtChunk;
  let tag = fmt.audioFormat;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // The real format is the first field of the sub-format GUID (PCM or float in practice).
    if (fmt.subformat.length === 0) throw new DataError(name, 'WAV header is extensible but has no sub-format');
    tag = fmt.subformat[0] as number;
    if (tag === 0x0003 && fmt.bitsPerSample === 32) {
      // wavefile reads an extensible header's 32 bits as integers; they are floats.
      wav.bitDepth = '32f';
      (wav as unknown as { dataType: { fp: boolean } }).dataType.fp = true;
    }
  }
  const format = FORMATS[tag];
  if (!format) {
    const hex = `0x${tag.toString(16).padStart(4, '0')}`;
    throw new DataError(
      name,
      `unsupported WAV format tag ${hex}${tag === 0x0055 ? ' (MP3)' : ''}; expected PCM, IEEE float, A-law, mu-law or IMA ADPCM`,
    );
  }
  if (!format.depths.includes(wav.bitDepth)) {
    throw new DataError(
      name,
      `${format.name} WAV with ${fmt.bitsPerSample}-bit samples is not supported (expected ${format.bits} bits)`,
    );
  }
  if (!(fmt.numChannels >= 1 && fmt.numChannels <= MAX_CHANNELS)) {
    throw new DataError(name, `WAV header says ${fmt.numChannels} channels; expected 1 to ${MAX_CHANNELS}`);
  }
  if (!(fmt.sampleRate >= MIN_SAMPLE_RATE && fmt.sampleRate <= MAX_SAMPLE_RATE)) {
    throw new DataError(
      name,
      `WAV header says ${fmt.sampleRate} Hz; expected a sample rate from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz`,
    );
  }
  // Frames from the byte count, before decoding: IMA ADPCM packs 4 bits a sample, the others whole bytes.
  const bitsPerFrame = (wav.bitDepth === '4' ? 4 : 8 * Math.ceil(fmt.bitsPerSample / 8)) * fmt.numChannels;
  const frames = Math.floor(((wav.data as DataChunk).samples.length * 8) / bitsPerFrame);
  if (frames === 0) throw new DataError(name, 'WAV file holds no audio samples');
  const seconds = frames / fmt.sampleRate;
  if (seconds > maxSeconds) {
    throw new DataError(name, `recording too long: ${seconds.toFixed(1)} s (at most ${maxSeconds} s expected)`);
  }
}

/** The samples of each channel as stored (integers or floats), compressed codecs decoded to 16-bit PCM first. */
function channelsOf(wav: WaveFileT, name: string): Float64Array[] {
  const numChannels = (wav.fmt as FmtChunk).numChannels;
  try {
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
    const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
    return numChannels === 1 ? [raw as Float64Array] : (raw as Float64Array[]);
  } catch (err) {
    throw new DataError(name, `cannot decode the WAV samples (${(err as Error).message})`);
  }
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit, 32/64-bit float, A-law, mu-law, IMA ADPCM; 1 to 64 channels, mixed
 * down to mono by averaging; 1 to 384 kHz) to samples in [-1, 1], resampled to `sampleRate` if given. Anything
 * that is not a usable recording (other formats, absurd headers, NaN or infinite samples, too long) is a
 * DataError naming the file; no other error comes out of it.
 */
export function decodeWav(bytes: Uint8Array, name: string, opts: DecodeOptions = {}): Audio {
  const wav = parse(bytes, name);
  checkHeader(wav, name, opts.maxSeconds ?? DEFAULT_MAX_SECONDS);
  const depth = scaleFor(wav.bitDepth === '8a' || wav.bitDepth === '8m' || wav.bitDepth === '4' ? '16' : wav.bitDepth);
  if (!depth) throw new DataError(name, `unsupported WAV sample format '${wav.bitDepth}'`);
  // Read before decoding: converting a codec to PCM rebuilds wavefile's header objects.
  const sampleRate = (wav.fmt as FmtChunk).sampleRate;
  const channels = channelsOf(wav, name);
  const n = channels[0]?.length ?? 0;
  if (n === 0) throw new DataError(name, 'WAV file holds no audio samples');
  const maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_SECONDS;
  if (n / sampleRate > maxSeconds) {
    throw new DataError(
      name,
      `recording too long: ${(n / sampleRate).toFixed(1)} s (at most ${maxSeconds} s expected)`,
    );
  }
  const mono = new Float32Array(n);
  const k = 1 / (depth.scale * channels.length);
  for (const ch of channels)
    for (let i = 0; i < n; i++) mono[i] = (mono[i] as number) + ((ch[i] as number) - depth.offset) * k;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(mono[i] as number)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new DataError(name, `${bad} of ${n} samples are NaN or infinite (the first at sample ${first}): not audio`);
  }
  const rate = opts.sampleRate ?? sampleRate;
  let samples: Float32Array;
  try {
    samples = resample(mono, sampleRate, rate);
  } catch (err) {
    if (err instanceof RangeError) throw new DataError(name, err.message);
    throw err;
  }
  // A handful of samples at a high rate can come to nothing at a lower one.
  if (samples.length === 0) {
    throw new DataError(name, `${n} sample${n === 1 ? '' : 's'} at ${sampleRate} Hz is no audio at ${rate} Hz`);
  }
  return { samples, sampleRate: rate };
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
