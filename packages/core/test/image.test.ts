import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRaster,
  decodeImage,
  decodeImagePixels,
  drawText,
  encodePng,
  heatColor,
  imageInfo,
  readImageFile,
  scaleRaster,
  tensorToRaster,
  textWidth,
  tileImages,
  toRaster,
  type Raster,
} from '../src/viz/index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-image-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const px = (r: Raster, x: number, y: number) =>
  Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3));

/** A 3x2 RGB test card with distinct values in every channel. */
const card = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 14) / 255);

describe('PNG encode and decode', () => {
  it('decodes what it encodes, to [h, w, 3] floats in 0..1', async () => {
    const png = encodePng(toRaster(card, [2, 3, 3]));
    expect(imageInfo(png)).toEqual({ format: 'png', width: 3, height: 2 });
    const back = decodeImagePixels(png);
    expect([back.width, back.height]).toEqual([3, 2]);
    Array.from(back.data).forEach((v, i) => expect(v).toBeCloseTo(card[i] as number, 6));
    const t = decodeImage(png);
    expect(t.shape).toEqual([2, 3, 3]);
    expect(t.dtype).toBe('float32');
    t.dispose();
  });

  it('encodes a tensor in grey with min-max or fixed-range scaling', async () => {
    const t = tf.tensor2d([
      [2, 4],
      [6, 10],
    ]);
    const minmax = await tensorToRaster(t, { normalize: 'minmax' });
    expect([px(minmax, 0, 0), px(minmax, 1, 1), px(minmax, 1, 0)]).toEqual([
      [0, 0, 0],
      [255, 255, 255],
      [64, 64, 64],
    ]);
    const fixed = toRaster([-1, 0.5, 2], [1, 3], { normalize: { min: 0, max: 1 } });
    expect([px(fixed, 0, 0)[0], px(fixed, 1, 0)[0], px(fixed, 2, 0)[0]]).toEqual([0, 128, 255]);
    const flat = toRaster([3, 3], [1, 2], { normalize: 'minmax' });
    expect(px(flat, 0, 0)).toEqual([128, 128, 128]);
    expect(() => toRaster([1, 2, 3], [2, 2])).toThrow('3 values do not fill shape [2, 2]');
    t.dispose();
  });

  it('maps single-channel data through the heat colour map', () => {
    expect(heatColor(0)).toEqual([68, 1, 84]);
    expect(heatColor(1)).toEqual([253, 231, 37]);
    const lum = (c: readonly number[]) =>
      0.299 * (c[0] as number) + 0.587 * (c[1] as number) + 0.114 * (c[2] as number);
    const steps = Array.from({ length: 21 }, (_, i) => lum(heatColor(i / 20)));
    steps.slice(1).forEach((l, i) => expect(l).toBeGreaterThan(steps[i] as number));
    const r = toRaster([0, 1], [1, 2], { colormap: 'heat' });
    expect(px(r, 1, 0)).toEqual([253, 231, 37]);
  });
});

describe('JPEG decode', () => {
  it('decodes a JPEG to the colours it holds and reads its size from the header', () => {
    const w = 16;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let p = 0; p < w * h; p++) rgba.set([200, 40, 90, 255], p * 4);
    const bytes = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 95).data);
    expect(imageInfo(bytes)).toEqual({ format: 'jpeg', width: 16, height: 8 });
    const img = decodeImagePixels(bytes);
    expect([img.width, img.height]).toEqual([16, 8]);
    expect(img.data[0]).toBeCloseTo(200 / 255, 1);
    expect(img.data[1]).toBeCloseTo(40 / 255, 1);
    expect(img.data[2]).toBeCloseTo(90 / 255, 1);
  });
});

describe('bad images get errors that name them', () => {
  it('not an image', () => {
    expect(() => decodeImagePixels(new TextEncoder().encode('hello'), { source: 'upload.txt' })).toThrow(
      'upload.txt: is not a PNG or JPEG image (starts with 68 65 6c 6c)',
    );
    expect(() => decodeImagePixels(new Uint8Array(0), { source: 'empty.png' })).toThrow(
      'empty.png: is not a PNG or JPEG image (starts with nothing',
    );
  });

  it('writes opaque pictures as RGB (smaller) and keeps transparency when there is some', () => {
    const opaque = createRaster(4, 4, [10, 200, 30]);
    const rgb = PNG.sync.read(Buffer.from(encodePng(opaque)));
    expect(rgb.colorType).toBe(2);
    expect([...rgb.data.subarray(0, 4)]).toEqual([10, 200, 30, 255]);
    const seeThrough = createRaster(4, 4);
    seeThrough.data[7] = 0;
    const rgba = PNG.sync.read(Buffer.from(encodePng(seeThrough)));
    expect(rgba.colorType).toBe(6);
    expect(rgba.data[7]).toBe(0);
  });

  it('zero size, from the header alone', () => {
    const png = encodePng(createRaster(2, 2));
    new DataView(png.buffer).setUint32(16, 0); // IHDR width
    expect(() => decodeImagePixels(png, { source: 'zero.png' })).toThrow(
      'zero.png: is 0x2 pixels: an image needs at least one',
    );
  });

  it('too many pixels, before decoding', () => {
    const png = encodePng(createRaster(20, 10));
    expect(() => decodeImagePixels(png, { source: 'big.png', maxPixels: 100 })).toThrow(
      'big.png: is 20x10 = 200 pixels; the limit is 100',
    );
  });

  it('damaged data', () => {
    const png = encodePng(toRaster(card, [2, 3, 3]));
    expect(() => decodeImagePixels(png.subarray(0, 40), { source: 'cut.png' })).toThrow(/^cut\.png: is a damaged PNG/);
    const noHeader = png.slice();
    noHeader[12] = 0x78;
    expect(() => decodeImagePixels(noHeader, { source: 'odd.png' })).toThrow(
      'odd.png: is a damaged PNG (its first chunk is not IHDR)',
    );
    const bytes = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256) }, 90).data);
    expect(() => decodeImagePixels(bytes.subarray(0, 12), { source: 'cut.jpg' })).toThrow(
      /^cut\.jpg: is a JPEG without a frame header/,
    );
  });

  it('missing and real files', async () => {
    await expect(readImageFile(join(dir, 'nope.png'))).rejects.toThrow(`${join(dir, 'nope.png')}: does not exist`);
    const path = join(dir, 'card.png');
    await writeFile(path, encodePng(toRaster(card, [2, 3, 3])));
    const t = await readImageFile(path);
    expect(t.shape).toEqual([2, 3, 3]);
    t.dispose();
  });
});

describe('drawing', () => {
  it('draws glyphs from the bitmap font', () => {
    const r = createRaster(5, 8);
    drawText(r, '1', 0, 0);
    // '1' is columns 00 42 7f 40 00: the middle column is solid for all 7 rows, the edges blank.
    for (let y = 0; y < 7; y++) expect(px(r, 2, y)).toEqual([0, 0, 0]);
    for (let y = 0; y < 8; y++) expect(px(r, 0, y)).toEqual([255, 255, 255]);
    expect(textWidth('ab')).toBe(11);
  });

  it('scales with sharp pixels', () => {
    const r = toRaster([0, 1], [1, 2]);
    const big = scaleRaster(r, 3);
    expect([big.width, big.height]).toEqual([6, 3]);
    expect(px(big, 2, 2)).toEqual([0, 0, 0]);
    expect(px(big, 3, 0)).toEqual([255, 255, 255]);
  });

  it('tiles images in a grid with labels underneath', () => {
    const red = toRaster([1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0], [2, 2, 3]);
    const green = toRaster([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0], [2, 2, 3]);
    const grid = tileImages(
      [
        { image: red, label: 'a' },
        { image: green, label: 'b' },
        { image: red, label: 'c' },
      ],
      { columns: 2, scale: 5, padding: 4 },
    );
    // cells are 10x10 with 8 px of label below; two columns, two rows
    expect(grid.width).toBe(2 * (10 + 4) + 4);
    expect(grid.height).toBe(2 * (10 + 12 + 4) + 4);
    expect(px(grid, 4 + 5, 4 + 5)).toEqual([255, 0, 0]);
    expect(px(grid, 4 + 14 + 5, 4 + 5)).toEqual([0, 255, 0]);
    expect(px(grid, 4 + 5, 4 + 26 + 5)).toEqual([255, 0, 0]);
    const labelRows = Array.from({ length: 8 }, (_, i) => 4 + 10 + 3 + i);
    const inked = labelRows.some((y) =>
      Array.from({ length: 10 }, (_, i) => px(grid, 4 + i, y)).some((c) => c[0] === 0),
    );
    expect(inked).toBe(true);
    const decoded = PNG.sync.read(Buffer.from(encodePng(grid)));
    expect([decoded.width, decoded.height]).toEqual([grid.width, grid.height]);
  });
});
