// Photos in and out: PNG or JPEG files read as float RGB in [0, 1] (shrunk to a size), written back as PNG.
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { DataError, decodeImagePixels, toRaster, writePng, type FloatImage } from '@cnn-lab/core';

/** The picture in `path`, shrunk so that its longer side is at most `maxSide`; errors name the file. */
export async function readPhoto(path: string, maxSide: number): Promise<FloatImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`);
  }
  const img = decodeImagePixels(bytes, { source: path });
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (scale === 1) return img;
  const height = Math.max(1, Math.round(img.height * scale));
  const width = Math.max(1, Math.round(img.width * scale));
  const data = tf.tidy(
    () =>
      tf.image
        .resizeBilinear(tf.tensor3d(img.data, [img.height, img.width, 3]), [height, width], true)
        .dataSync() as Float32Array,
  );
  return { width, height, data };
}

/** Writes `img` as a PNG (atomically, making the folder). */
export async function writePhoto(path: string, img: FloatImage): Promise<void> {
  await writePng(path, toRaster(img.data, [img.height, img.width, 3]));
}
