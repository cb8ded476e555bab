// The long report's content: the lecture's walk from the network to what it learns, as sections of text
// and pictures. Each function writes its pictures into the report folder and returns the section; the
// `report` command strings them together and renderReport turns them into one HTML page.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  confusionMatrix,
  formatConfusionMatrix,
  plotConfusionMatrix,
  plotHistory,
  writeFileAtomic,
  writePng,
  type History,
  type Raster,
} from '@cnn-lab/core';
import type { DigitSet } from '../mnist/digits.js';
import { LECTURE_LAYERS, describeLayers, formatLayerTable } from '../model/lecture-cnn.js';
import { scoreDigits } from '../model/train.js';
import { kernelGrid, sampleGrid } from '../pictures/digit-grids.js';
import { saliencyGrid } from '../pictures/saliency-grid.js';
import { visualiseLayer, type VisualKind, type VisualOptions } from '../pictures/unit-pictures.js';
import { renderReport, type ReportSection } from './render-html.js';

export const REPORT_TITLE = 'What does a CNN learn? The lecture, made visible';

export interface LectureReportInput {
  model: tf.LayersModel;
  /** The held-out digits of the model's own split. */
  test: DigitSet;
  history?: History;
  /** The report folder; pictures are written into it under fixed names. */
  out: string;
  /** Gradient-ascent settings for the maximisation pictures; `l1` is the prior of the second class picture. */
  visual: VisualOptions & { l1: number };
  log: (line: string) => void;
}

/**
 * Sections 1-6: the network, how well it reads digits, what filters, neurons and classes look like to it,
 * and saliency. Returns the sections and the held-out accuracy.
 */
export async function lectureSections(
  input: LectureReportInput,
): Promise<{ sections: ReportSection[]; testAccuracy: number }> {
  const { model, out, log } = input;
  const png = async (name: string, raster: Raster) => {
    await writePng(join(out, name), raster);
    return name;
  };
  const test = await scoreDigits(model, input.test);
  log(`test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} held-out digits`);
  const sections: ReportSection[] = [];

  sections.push({
    heading: '1. The lecture network',
    text: [
      'Conv 25 filters 3x3, max-pool 2x2, conv 50 filters 3x3, max-pool 2x2, flatten, dense 100 ReLU, dense 10 softmax: the shapes shrink from 28x28x1 to 26x26x25, 13x13x25, 11x11x50, 5x5x50 and 1250.',
      'A convolution shares one small filter over every position, so it needs a few hundred weights where a fully connected layer of the same widths needs millions.',
    ],
    pre: [formatLayerTable(describeLayers(model))],
  });

  const matrix = confusionMatrix(test.probabilities!, test.labels!, 10);
  await plotConfusionMatrix(matrix, join(out, 'confusion.png'), { title: 'held-out digits' });
  const figures = [
    {
      src: await png('samples.png', sampleGrid(model, input.test, 32)),
      caption: 'Held-out digits with the class the model gives and its confidence.',
    },
    {
      src: 'confusion.png',
      caption: 'Confusion matrix on the held-out digits (rows: true digit, columns: prediction).',
    },
  ];
  if (input.history) {
    await plotHistory(input.history, join(out, 'history.png'), { title: 'training' });
    figures.push({ src: 'history.png', caption: 'Loss and accuracy per epoch, training and validation.' });
  }
  sections.push({
    heading: '2. How well it reads digits',
    text: [
      `Accuracy on ${test.count} held-out digits: ${(test.accuracy * 100).toFixed(2)}% (cross-entropy ${test.loss.toFixed(4)}).`,
    ],
    pre: [formatConfusionMatrix(matrix)],
    figures,
  });

  const vis = async (layer: string, kind: VisualKind, l1: number, file: string) => {
    const t = Date.now();
    const v = await visualiseLayer(model, layer, kind, { ...input.visual, l1 });
    log(`${kind} pictures for ${layer}${l1 ? ` (L1 ${l1})` : ''}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return { v, src: await png(file, v.grid) };
  };
  const conv1 = await vis(LECTURE_LAYERS.conv1, 'filter', 0, 'filters-conv1.png');
  const conv2 = await vis(LECTURE_LAYERS.conv2, 'filter', 0, 'filters-conv2.png');
  sections.push({
    heading: '3. What does a filter detect?',
    text: [
      'For filter k, the degree of activation a^k is the sum of its output map; x* = argmax_x a^k is found by gradient ascent on the input, starting from grey noise.',
      'Filters respond to strokes, edges and textures at every position: the pictures are repeating patterns, not digits.',
      'The first layer is linear in the pixels, so its maximiser is a flat or edge image; its 3x3 weights themselves show the stroke directions it looks for.',
    ],
    figures: [
      {
        src: await png('kernels-conv1.png', kernelGrid(model, LECTURE_LAYERS.conv1)),
        caption: `The 25 3x3 kernels of ${LECTURE_LAYERS.conv1} (light: positive weight).`,
      },
      { src: conv1.src, caption: `The 25 filters of ${LECTURE_LAYERS.conv1}, maximised (3x3 receptive field).` },
      { src: conv2.src, caption: `The 50 filters of ${LECTURE_LAYERS.conv2} (each sees 8x8 pixels).` },
    ],
  });

  const dense = await vis(LECTURE_LAYERS.dense, 'neuron', 0, 'neurons-dense100.png');
  sections.push({
    heading: '4. What does a neuron of the dense layer detect?',
    text: ['A dense neuron sees the whole image, so its picture is a whole-image pattern rather than a texture.'],
    figures: [{ src: dense.src, caption: `The 100 neurons of ${LECTURE_LAYERS.dense}.` }],
  });

  const l1 = input.visual.l1;
  const plain = await vis(LECTURE_LAYERS.output, 'class', 0, 'classes-plain.png');
  const sparse = await vis(LECTURE_LAYERS.output, 'class', l1, 'classes-l1.png');
  const agree = (p: typeof plain.v.pictures) => p.filter((x) => x.predicted === x.unit).length;
  sections.push({
    heading: '5. What does the CNN think a digit looks like?',
    text: [
      'Maximising the output y^i for each class i: the model is almost certain of every picture, yet they do not look like digits to us (labels: target class : predicted class and confidence).',
      `With the L1 prior (maximise y^i - ${l1} * sum |x_ij|) only the pixels that matter are lit and strokes start to appear.`,
      `Predicted as their target class: ${agree(plain.v.pictures)}/10 plain, ${agree(sparse.v.pictures)}/10 with the L1 prior.`,
    ],
    figures: [
      { src: plain.src, caption: 'Class maximisation, plain.' },
      { src: sparse.src, caption: `Class maximisation with the L1 prior (lambda = ${l1}).` },
    ],
  });

  const sal = await saliencyGrid(model, input.test, 16);
  sections.push({
    heading: '6. Which pixels matter? Saliency maps',
    text: [
      '|d y_c / d x_ij| for the true class c: bright pixels change the score most. They lie on and around the strokes that tell digits apart.',
    ],
    figures: [
      { src: await png('saliency.png', sal.grid), caption: 'Test digits (true -> predicted) and their saliency maps.' },
    ],
  });
  return { sections, testAccuracy: test.accuracy };
}

/** Section 7, once `content.png`, `dream.png`, `painting.png` and `style.png` are in the report folder. */
export function dreamStyleSection(dreamSeconds: number, styleSeconds: number): ReportSection {
  return {
    heading: '7. Deep Dream and style transfer (InceptionV3 from nsfwjs)',
    text: [
      'Deep Dream: gradient ascent on the photo to make InceptionV3 layers mixed4..mixed7 fire harder, over 3 octaves, putting back the detail each downscale lost.',
      'Style transfer: keep the deep features of the photo (content) and the feature correlations, Gram matrices, of the painting (style).',
    ],
    figures: [
      { src: 'content.png', caption: 'The photo.' },
      { src: 'dream.png', caption: `Deep Dream (${dreamSeconds.toFixed(0)} s).` },
      { src: 'painting.png', caption: 'The painting.' },
      { src: 'style.png', caption: `The photo in the painting's style (${styleSeconds.toFixed(0)} s).` },
    ],
  };
}

/** Writes `index.html` of the sections into the report folder; returns its path. */
export async function writeReportPage(out: string, sections: ReportSection[], footer: string): Promise<string> {
  const index = join(out, 'index.html');
  await writeFileAtomic(index, renderReport(REPORT_TITLE, sections, footer));
  return index;
}
