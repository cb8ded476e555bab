import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../cli/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { drawText, textHeight, textWidth } from './plot-font.js';

/** An 8-bit colour. */
export type Rgb = readonly [number, number, number];

/** An 8-bit RGBA picture, row-major; what every drawing and encoding function here works on. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A decoded photo: [height, width, 3] row-major RGB in 0..1. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this before decoding them (default 4096 x 4096). */
  maxPixels?: number;
  /** The file (or upload) name that errors should name. */
  source?: string;
}

export const DEFAULT_MAX_PIXELS = 4096 * 4096;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Format and size from the header alone, so a huge or broken upload is refused before any pixel
 * is decoded. Throws a DataError naming `source` when the bytes are neither PNG nor JPEG.
 */
export function imageInfo(
  bytes: Uint8Array,
  source = 'image',
): { format: 'png' | 'jpeg'; width: number; height: number } {
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
      throw new DataError(source, 'is a damaged PNG (its first chunk is not IHDR)');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const size = jpegSize(bytes);
    if (!size) throw new DataError(source, 'is a JPEG without a frame header (truncated or damaged)');
    return { format: 'jpeg', ...size };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DataError(source, `is not a PNG or JPEG image (starts with ${head || 'nothing: it is empty'})`);
}

/** Reads width and height from the first start-of-frame marker of a JPEG. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // SOF0..SOF15 carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number);
      const width = ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number);
      return { width, height };
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2; // markers without a length
      continue;
    }
    at += 2 + (((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
  }
  return null;
}

/**
 * Decodes a PNG or JPEG into RGB floats in 0..1 (alpha is dropped, as tfjs-node's decodeImage does
 * with 3 channels; grey and palette PNGs become RGB). Errors name `source`: not an image, zero size,
 * more than `maxPixels`, or damaged data.
 */
export function decodeImagePixels(bytes: Uint8Array, options: DecodeOptions = {}): FloatImage {
  const source = options.source ?? 'image';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const { format, width, height } = imageInfo(bytes, source);
  if (width === 0 || height === 0)
    throw new DataError(source, `is ${width}x${height} pixels: an image needs at least one`);
  if (width * height > maxPixels) {
    throw new DataError(source, `is ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`);
  }
  let rgba: Uint8Array;
  try {
    if (format === 'png') {
      rgba = new Uint8Array(PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).data);
    } else {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: Math.ceil(maxPixels / 1e6) + 1,
      });
      rgba = decoded.data;
    }
  } catch (err) {
    throw new DataError(source, `is a damaged ${format.toUpperCase()} (${(err as Error).message})`);
  }
  if (rgba.length < width * height * 4) throw new DataError(source, `is a truncated ${format.toUpperCase()}`);
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[p * 3] = (rgba[p * 4] as number) / 255;
    data[p * 3 + 1] = (rgba[p * 4 + 1] as number) / 255;
    data[p * 3 + 2] = (rgba[p * 4 + 2] as number) / 255;
  }
  return { width, height, data };
}

/** decodeImagePixels as a float32 tensor [height, width, 3] in 0..1. */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): tf.Tensor3D {
  const img = decodeImagePixels(bytes, options);
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'float32');
}

/** Reads and decodes an image file; errors name the file. */
export async function readImageFile(path: string, options: Omit<DecodeOptions, 'source'> = {}): Promise<tf.Tensor3D> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`);
  }
  return decodeImage(bytes, { ...options, source: path });
}

/** A raster filled with one colour. */
export function createRaster(width: number, height: number, background: Rgb = [255, 255, 255]): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`raster size ${width}x${height}; expected positive integers`);
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = background[0];
    data[i + 1] = background[1];
    data[i + 2] = background[2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** PNG file bytes for a raster. */
export function encodePng(raster: Raster): Uint8Array {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data = Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
  // Most of our pictures are opaque: an RGB file is a quarter smaller than RGBA for the same pixels.
  return new Uint8Array(PNG.sync.write(png, { colorType: isOpaque(raster) ? 2 : 6 }));
}

function isOpaque(raster: Raster): boolean {
  const { data } = raster;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

/** Writes a raster as a PNG file, atomically. */
export async function writePng(path: string, raster: Raster): Promise<void> {
  await writeFileAtomic(path, encodePng(raster));
}

/** How float values map to 0..255: stretch their own min..max, or a fixed range (clipped). */
export type Normalize = 'minmax' | { min: number; max: number };

export interface ToRasterOptions {
  /** Default { min: 0, max: 1 }, the range decodeImage produces. */
  normalize?: Normalize;
  /** For single-channel data: grey levels, or the heat colour map. */
  colormap?: 'grey' | 'heat';
}

/**
 * Turns float pixels [h, w], [h, w, 1] or [h, w, 3] (row-major) into a raster. With 'minmax' a
 * constant image maps to mid-grey rather than dividing by zero.
 */
export function toRaster(values: ArrayLike<number>, shape: readonly number[], options: ToRasterOptions = {}): Raster {
  const [height, width, channels = 1] = shape;
  if (height === undefined || width === undefined || shape.length > 3 || (channels !== 1 && channels !== 3)) {
    throw new RangeError(`shape [${shape.join(', ')}]; expected [h, w], [h, w, 1] or [h, w, 3]`);
  }
  if (values.length !== height * width * channels) {
    throw new RangeError(`${values.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const { min, max } = rangeOf(values, options.normalize ?? { min: 0, max: 1 });
  const unit = (v: number) => (max > min ? Math.min(1, Math.max(0, (v - min) / (max - min))) : 0.5);
  const raster = createRaster(width, height);
  for (let p = 0; p < width * height; p++) {
    let rgb: Rgb;
    if (channels === 3) {
      rgb = [
        Math.round(unit(values[p * 3] as number) * 255),
        Math.round(unit(values[p * 3 + 1] as number) * 255),
        Math.round(unit(values[p * 3 + 2] as number) * 255),
      ];
    } else {
      const t = unit(values[p] as number);
      rgb =
        options.colormap === 'heat' ? heatColor(t) : [Math.round(t * 255), Math.round(t * 255), Math.round(t * 255)];
    }
    raster.data.set(rgb, p * 4);
  }
  return raster;
}

/** toRaster for a tensor of shape [h, w], [h, w, 1] or [h, w, 3]. */
export async function tensorToRaster(tensor: tf.Tensor, options: ToRasterOptions = {}): Promise<Raster> {
  return toRaster(await tensor.data(), tensor.shape, options);
}

function rangeOf(values: ArrayLike<number>, normalize: Normalize): { min: number; max: number } {
  if (normalize !== 'minmax') return normalize;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 1 };
}

/** Viridis at nine stops: perceptually even and readable in grey print, so heat maps do not invent edges. */
const HEAT_STOPS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The heat colour for t in 0..1 (clipped): dark purple through teal to yellow. */
export function heatColor(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = HEAT_STOPS[i] as Rgb;
  const b = HEAT_STOPS[i + 1] as Rgb;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** Enlarges by an integer factor with nearest-neighbour sampling, so small images keep sharp pixels. */
export function scaleRaster(raster: Raster, factor: number): Raster {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`scale factor ${factor}; expected an integer >= 1`);
  if (factor === 1) return raster;
  const out = createRaster(raster.width * factor, raster.height * factor);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const from = (Math.floor(y / factor) * raster.width + Math.floor(x / factor)) * 4;
      out.data.set(raster.data.subarray(from, from + 4), (y * out.width + x) * 4);
    }
  }
  return out;
}

/** Copies `src` into `dst` with its top-left corner at (x, y), clipped to `dst`. */
export function blit(dst: Raster, src: Raster, x: number, y: number): void {
  for (let sy = 0; sy < src.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    const x0 = Math.max(0, -x);
    const x1 = Math.min(src.width, dst.width - x);
    if (x1 <= x0) continue;
    dst.data.set(
      src.data.subarray((sy * src.width + x0) * 4, (sy * src.width + x1) * 4),
      (dy * dst.width + x + x0) * 4,
    );
  }
}

export interface Tile {
  image: Raster;
  label?: string;
}

export interface TileOptions {
  /** Tiles per row (default: as square a grid as the count allows). */
  columns?: number;
  /** Blank pixels around and between tiles (default 4). */
  padding?: number;
  /** Integer enlargement of every tile (default 1). */
  scale?: number;
  background?: Rgb;
  labelColor?: Rgb;
  /** A heading drawn above the grid. */
  title?: string;
}

/**
 * Lays tiles out in a grid, each with its label underneath (shortened to the cell's width), for
 * filter pictures, saliency maps, sample images. Tiles may differ in size; cells take the largest.
 */
export function tileImages(tiles: readonly Tile[], options: TileOptions = {}): Raster {
  if (tiles.length === 0) throw new RangeError('tileImages needs at least one tile');
  const scale = options.scale ?? 1;
  const padding = options.padding ?? 4;
  const columns = Math.max(1, Math.min(tiles.length, options.columns ?? Math.ceil(Math.sqrt(tiles.length))));
  const rows = Math.ceil(tiles.length / columns);
  const scaled = tiles.map((t) => scaleRaster(t.image, scale));
  const cellW = Math.max(...scaled.map((r) => r.width));
  const cellH = Math.max(...scaled.map((r) => r.height));
  const hasLabels = tiles.some((t) => t.label);
  const labelH = hasLabels ? textHeight() + 4 : 0;
  const titleH = options.title ? textHeight(2) + 8 : 0;
  const width = Math.max(
    columns * (cellW + padding) + padding,
    options.title ? textWidth(options.title, 2) + 2 * padding : 0,
  );
  const height = titleH + rows * (cellH + labelH + padding) + padding;
  const out = createRaster(width, height, options.background ?? [255, 255, 255]);
  if (options.title)
    drawText(out, options.title, padding, padding, { scale: 2, color: options.labelColor ?? [0, 0, 0] });
  scaled.forEach((img, i) => {
    const x = padding + (i % columns) * (cellW + padding);
    const y = titleH + padding + Math.floor(i / columns) * (cellH + labelH + padding);
    blit(out, img, x + Math.floor((cellW - img.width) / 2), y + Math.floor((cellH - img.height) / 2));
    const label = tiles[i]?.label;
    if (label) {
      const fit = fitText(label, cellW);
      drawText(out, fit, x + Math.floor((cellW - textWidth(fit)) / 2), y + cellH + 3, {
        color: options.labelColor ?? [0, 0, 0],
      });
    }
  });
  return out;
}

/** `text` cut to fit `width` pixels at scale 1, ending in '.' when cut. */
export function fitText(text: string, width: number, scale = 1): string {
  if (textWidth(text, scale) <= width) return text;
  let cut = text;
  while (cut.length > 1 && textWidth(`${cut}.`, scale) > width) cut = cut.slice(0, -1);
  return `${cut}.`;
}
