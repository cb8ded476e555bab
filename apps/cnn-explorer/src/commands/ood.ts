// `ood`: measures the page's "this does not look like a digit" warning. It calibrates the checks on the
// model's training and validation digits exactly as the page does, then counts how often the warning fires
// on the held-out test digits (false alarms), on noise, on letters, and on crops of the photos in the images
// folder (detections). Writes nothing.
import { basename, join } from 'node:path';
import { readdirSync } from 'node:fs';
import {
  parseIntIn,
  parseNumberIn,
  resolveDataDir,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { readPhoto } from '../images/photo-files.js';
import { mnistSplits } from '../mnist/mnist-package.js';
import { loadLectureModel, modelDirFor } from '../model/load.js';
import { OOD_QUANTILE, calibrateOod } from '../ood/detector.js';
import { formatOodTable, oodRate, testDigitsRate, type OodRate } from '../ood/measure.js';
import { asModelInputs, letterPictures, noisePictures, padDrawings, photoCrops } from '../ood/samples.js';

interface OodOpts extends CommonOptions {
  quantile: number;
  crops: number;
}

export function registerOod(program: Command): void {
  const cmd = program
    .command('ood')
    .description(
      "measure the page's not-a-digit warning: false alarms on held-out digits, detections on noise, letters and photo crops",
    )
    .option(
      '--quantile <q>',
      'share of validation digits each check lets pass (the page uses the default)',
      parseNumberIn(0.5, 0.9999),
      OOD_QUANTILE,
    )
    .option('--crops <n>', 'random crops per photo', parseIntIn(0, 1000), 30);
  withCommonOptions(cmd, ['dataDir', 'modelDir', 'seed', 'json', 'backend']).action(
    runAction<OodOpts>(async ({ opts, log }) => {
      const { model, split } = await loadLectureModel(modelDirFor(opts.modelDir, 'read'));
      const { train, validation, test } = mnistSplits(split);
      const started = Date.now();
      const cal = calibrateOod(model, train, validation, opts.quantile);
      log(
        `calibrated on ${train.count} training and ${validation.count} validation digits in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      const seed = opts.seed ?? 1;
      const rates: OodRate[] = [
        testDigitsRate(model, cal, test),
        oodRate(model, cal, 'the same digits as pad strokes', asModelInputs(padDrawings(test)), true, test.labels),
        oodRate(model, cal, 'noise (uniform and blocky)', asModelInputs(noisePictures(100, seed)), false),
        oodRate(model, cal, 'letters A-Z, a-z (pixel font)', asModelInputs(letterPictures()), false),
      ];
      let photosNote: string | undefined;
      let images: string | undefined;
      try {
        images = resolveDataDir(opts, 'images', 'a folder of photos (PNG or JPEG)');
      } catch (err) {
        photosNote = (err as Error).message;
      }
      if (images !== undefined) {
        const files = readdirSync(images)
          .filter((f) => /\.(png|jpe?g)$/i.test(f))
          .sort();
        if (files.length === 0) photosNote = `${basename(images)} holds no PNG or JPEG`;
        const photos = await Promise.all(files.map((f) => readPhoto(join(images, f), 512)));
        if (photos.length > 0) {
          rates.push(
            oodRate(
              model,
              cal,
              `photos and paintings: ${files.length} whole, ${files.length * opts.crops} crops`,
              asModelInputs(photoCrops(photos, opts.crops, seed)),
              false,
            ),
          );
        }
      }
      if (photosNote) log(`photos left out: ${photosNote}`);
      log(formatOodTable(rates));
      log(
        `each check's limit is the ${opts.quantile} quantile of the validation digits (any check warns on ${(100 * cal.validation.flagged).toFixed(1)}% of them)`,
      );
      return { quantile: opts.quantile, limits: cal.limits, validationFlagged: cal.validation.flagged, rates };
    }),
  );
}
