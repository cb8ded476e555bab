// Pictures that are not digits, to measure the out-of-distribution warning on: noise, letters and crops
// of photos. None of them is used to set the warning's limits (those come from MNIST alone).
import { Rng, createRaster, drawText, type FloatImage } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, type DigitSet } from '../mnist/digits.js';
import { mnistStyle, toGrey, type GreyImage } from '../mnist/center.js';

/** `count` pictures of uniform noise, and as many of blocky noise (8x8 cells), 64x64 each. */
export function noisePictures(count: number, seed = 1): GreyImage[] {
  const rng = new Rng(seed);
  const side = 64;
  const out: GreyImage[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Float32Array(side * side);
    for (let p = 0; p < data.length; p++) data[p] = rng.next();
    out.push({ width: side, height: side, data });
  }
  for (let i = 0; i < count; i++) {
    const cells = Array.from({ length: 64 }, () => rng.next());
    const data = new Float32Array(side * side);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) data[y * side + x] = cells[(y >> 3) * 8 + (x >> 3)]!;
    out.push({ width: side, height: side, data });
  }
  return out;
}

export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Each letter of LETTERS drawn light on black in core's 5x8 pixel font, at two stroke widths. */
export function letterPictures(letters = LETTERS): Array<GreyImage & { letter: string }> {
  const out: Array<GreyImage & { letter: string }> = [];
  for (const letter of letters) {
    for (const scale of [5, 8]) {
      const r = createRaster(60, 80, [0, 0, 0]);
      drawText(r, letter, 10, 10, { color: [255, 255, 255], scale });
      const data = new Float32Array(60 * 80);
      for (let p = 0; p < data.length; p++) data[p] = r.data[4 * p]! / 255;
      out.push({ width: 60, height: 80, data, letter });
    }
  }
  return out;
}

/** Each photo whole, then `crops` square crops of 20-80% of its shorter side at seeded random places. */
export function photoCrops(photos: FloatImage[], crops: number, seed = 1): GreyImage[] {
  const rng = new Rng(seed);
  const out: GreyImage[] = [];
  for (const photo of photos) {
    const img = toGrey(photo);
    out.push(img);
    for (let k = 0; k < crops; k++) {
      const side = Math.max(8, Math.floor(Math.min(img.width, img.height) * (0.2 + 0.6 * rng.next())));
      const x0 = rng.int(img.width - side + 1);
      const y0 = rng.int(img.height - side + 1);
      const data = new Float32Array(side * side);
      for (let y = 0; y < side; y++)
        data.set(img.data.subarray((y0 + y) * img.width + x0, (y0 + y) * img.width + x0 + side), y * side);
      out.push({ width: side, height: side, data });
    }
  }
  return out;
}

/** The pictures as the model sees them (MNIST-style 28x28, back to back); blank ones are left out. */
export function asModelInputs(pictures: GreyImage[]): Float32Array {
  const kept = pictures.map((p) => mnistStyle(p)).filter((r) => r.hasInk);
  const out = new Float32Array(kept.length * MNIST_PIXELS);
  kept.forEach((r, i) => out.set(r.image, i * MNIST_PIXELS));
  return out;
}

/**
 * Digits as the drawing pad makes them: each 28x28 digit enlarged `scale` times (bilinear) and cut at
 * grey 0.5 into hard-edged black-and-white strokes, as a pen on a canvas draws, dark on light. Through
 * mnistStyle they measure what the pad's different strokes do to the answers and the warning.
 */
export function padDrawings(set: DigitSet, scale = 10): GreyImage[] {
  const side = MNIST_SIDE * scale;
  const out: GreyImage[] = [];
  for (let i = 0; i < set.count; i++) {
    const img = set.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
    const data = new Float32Array(side * side);
    const at = (y: number, x: number) => img[y * MNIST_SIDE + x]!;
    for (let y = 0; y < side; y++) {
      const fy = Math.min(MNIST_SIDE - 1, Math.max(0, (y + 0.5) / scale - 0.5));
      const y0 = Math.floor(fy);
      const y1 = Math.min(MNIST_SIDE - 1, y0 + 1);
      const ty = fy - y0;
      for (let x = 0; x < side; x++) {
        const fx = Math.min(MNIST_SIDE - 1, Math.max(0, (x + 0.5) / scale - 0.5));
        const x0 = Math.floor(fx);
        const x1 = Math.min(MNIST_SIDE - 1, x0 + 1);
        const tx = fx - x0;
        const v = (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1));
        data[y * side + x] = v >= 0.5 ? 0 : 1;
      }
    }
    out.push({ width: side, height: side, data });
  }
  return out;
}
