// Any picture of a digit (a drawing on the page's canvas, a photo, a scan) made to look like an MNIST
// digit, the way MNIST itself was made: light ink on black, the ink's bounding box scaled so that its
// longer side is 20 pixels, and that box placed in the 28x28 frame with the ink's centre of mass at the
// centre. Without this a digit drawn small in a corner of a big canvas is nothing the model has seen.
import { MNIST_PIXELS, MNIST_SIDE } from './digits.js';

/** The side of the box the ink is scaled into (MNIST: 20 of 28 pixels). */
export const INK_BOX = 20;
/** A pixel at least this bright (after inverting paper to black) counts as ink for the bounding box. */
export const INK_LEVEL = 0.2;

/** A grey picture: width x height values in [0, 1], row-major. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** The mean of the three channels of an RGB picture ([h, w, 3] in 0..1). */
export function toGrey(rgb: { width: number; height: number; data: Float32Array }): GreyImage {
  const n = rgb.width * rgb.height;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rgb.data[3 * i]! + rgb.data[3 * i + 1]! + rgb.data[3 * i + 2]!) / 3;
  return { width: rgb.width, height: rgb.height, data };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Whether the picture is dark ink on light paper: its border (where paper is) is mostly light. */
export function isLightPaper(img: GreyImage): boolean {
  const { width: w, height: h, data } = img;
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(data[x]!, data[(h - 1) * w + x]!);
  for (let y = 1; y < h - 1; y++) border.push(data[y * w]!, data[y * w + w - 1]!);
  return median(border) > 0.5;
}

/**
 * Resamples a grey picture to tw x th by averaging, over each target pixel's footprint, the source pixels
 * it covers (weighted by overlap): the right filter for shrinking, where bilinear sampling would skip ink.
 */
export function resizeArea(img: GreyImage, tw: number, th: number): GreyImage {
  const { width: w, height: h, data } = img;
  const out = new Float32Array(tw * th);
  const sx = w / tw;
  const sy = h / th;
  for (let ty = 0; ty < th; ty++) {
    const y0 = ty * sy;
    const y1 = y0 + sy;
    for (let tx = 0; tx < tw; tx++) {
      const x0 = tx * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wx * wy * data[y * w + x]!;
        }
      }
      out[ty * tw + tx] = sum / (sx * sy);
    }
  }
  return { width: tw, height: th, data: out };
}

export interface MnistStyleResult {
  /** The 28x28 digit, light ink on black, as the model sees it. */
  image: Float32Array;
  /** Whether the picture was inverted (dark ink on light paper). */
  inverted: boolean;
  /** Whether any ink was found; a blank picture gives an all-black image and false. */
  hasInk: boolean;
}

/**
 * MNIST's own preparation of a digit: invert dark-on-light, stretch the levels (paper black, ink white), crop to the ink (pixels of at least
 * INK_LEVEL), scale the crop so its longer side is INK_BOX pixels (keeping its shape), and paste it into
 * 28x28 black with the centre of mass of the ink at the centre.
 */
export function mnistStyle(input: GreyImage): MnistStyleResult {
  const { width: w, height: h } = input;
  if (!(w >= 1 && h >= 1 && input.data.length === w * h)) {
    throw new RangeError(`mnistStyle: ${input.data.length} values for a ${w}x${h} picture`);
  }
  const inverted = isLightPaper(input);
  const ink = new Float32Array(w * h);
  for (let i = 0; i < ink.length; i++) {
    const v = Math.min(1, Math.max(0, input.data[i]!));
    ink[i] = inverted ? 1 - v : v;
  }
  stretchLevels(ink, w, h);
  let top = h;
  let left = w;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x]! < INK_LEVEL) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  const image = new Float32Array(MNIST_PIXELS);
  if (bottom < 0) return { image, inverted, hasInk: false };

  const bw = right - left + 1;
  const bh = bottom - top + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.subarray((top + y) * w + left, (top + y) * w + left + bw), y * bw);
  const scale = INK_BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  const box =
    scale <= 1 ? resizeArea({ width: bw, height: bh, data: crop }, tw, th) : resizeBilinear(crop, bw, bh, tw, th);

  // Centre of mass of the scaled ink, moved to the frame's centre (whole pixels, as MNIST did).
  let mass = 0;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box.data[y * tw + x]!;
      mass += v;
      cy += v * y;
      cx += v * x;
    }
  }
  const oy = Math.round(MNIST_SIDE / 2 - (mass > 0 ? cy / mass : th / 2) - 0.5);
  const ox = Math.round(MNIST_SIDE / 2 - (mass > 0 ? cx / mass : tw / 2) - 0.5);
  for (let y = 0; y < th; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= MNIST_SIDE) continue;
    for (let x = 0; x < tw; x++) {
      const tx = x + ox;
      if (tx < 0 || tx >= MNIST_SIDE) continue;
      image[ty * MNIST_SIDE + tx] = Math.min(1, box.data[y * tw + x]!);
    }
  }
  return { image, inverted, hasInk: true };
}

/**
 * Levels, in place: the paper (the median of the border) becomes 0 and the brightest ink 1, so a grey
 * scan or a photo of paper has the black background and full-strength strokes of MNIST. A picture with
 * less than MIN_CONTRAST between paper and ink is left black: it holds no ink.
 */
export function stretchLevels(ink: Float32Array, w: number, h: number): void {
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(ink[x]!, ink[(h - 1) * w + x]!);
  for (let y = 1; y < h - 1; y++) border.push(ink[y * w]!, ink[y * w + w - 1]!);
  const paper = median(border);
  let hi = 0;
  for (const v of ink) hi = Math.max(hi, v);
  const range = hi - paper;
  for (let i = 0; i < ink.length; i++)
    ink[i] = range < MIN_CONTRAST ? 0 : Math.min(1, Math.max(0, (ink[i]! - paper) / range));
}

/** The least difference between paper and ink for a picture to count as holding any ink. */
export const MIN_CONTRAST = 0.1;

/** Bilinear enlargement (for crops smaller than the ink box), pixel centres aligned. */
function resizeBilinear(data: Float32Array, w: number, h: number, tw: number, th: number): GreyImage {
  const out = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const y = Math.min(h - 1, Math.max(0, ((ty + 0.5) * h) / th - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = y - y0;
    for (let tx = 0; tx < tw; tx++) {
      const x = Math.min(w - 1, Math.max(0, ((tx + 0.5) * w) / tw - 0.5));
      const x0 = Math.floor(x);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = x - x0;
      const top = data[y0 * w + x0]! * (1 - fx) + data[y0 * w + x1]! * fx;
      const bottom = data[y1 * w + x0]! * (1 - fx) + data[y1 * w + x1]! * fx;
      out[ty * tw + tx] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width: tw, height: th, data: out };
}
