// `predict`: which digit each PNG/JPEG file shows. Unreadable files are named and skipped; none readable is an error.
import { DataError, resolveUserPath, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { readPhoto } from '../images/photo-files.js';
import { digitFromPhoto } from '../mnist/from-photo.js';
import { classify } from '../model/classify.js';
import { loadLectureModel, modelDirFor } from '../model/load.js';

export interface Prediction {
  file: string;
  digit: number;
  confidence: number;
}

/** The digit in each file (as given), and the files that could not be read with why; `onFile` hears each in order. */
export async function predictFiles(
  model: tf.LayersModel,
  files: string[],
  onFile: (line: string) => void = () => undefined,
): Promise<{ predictions: Prediction[]; skipped: DataError[] }> {
  const predictions: Prediction[] = [];
  const skipped: DataError[] = [];
  for (const file of files) {
    try {
      const photo = await readPhoto(resolveUserPath(file), 4096);
      const [c] = classify(model, digitFromPhoto(photo));
      predictions.push({ file, digit: c!.predicted, confidence: c!.confidence });
      onFile(`${file}: ${c!.predicted} (${(c!.confidence * 100).toFixed(1)}%)`);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      skipped.push(err);
      onFile(`skipped ${err.message}`);
    }
  }
  return { predictions, skipped };
}

export function registerPredict(program: Command): void {
  withCommonOptions(
    program
      .command('predict')
      .description('say which digit each PNG/JPEG file shows (any size; dark-on-light is inverted to MNIST style)')
      .argument('<images...>', 'image files'),
    ['modelDir', 'json', 'backend'],
  ).action(
    runAction<CommonOptions>(async ({ opts, args, log }) => {
      const { model } = await loadLectureModel(modelDirFor(opts.modelDir, 'read'));
      const { predictions, skipped } = await predictFiles(model, args, log);
      if (predictions.length === 0) throw new DataError(args.join(', '), 'no readable image among the arguments');
      return { predictions, skipped: skipped.length };
    }),
  );
}
