// What a CNN learns, as pictures (generic: any tf.LayersModel, any layer).
export { layerOutputModel, withoutActivation } from './layer-model.js';
export { type Regularisers, roll, gaussianBlur, regularise } from './regularise.js';
export { type MaximiseOptions, type MaximiseResult, maximiseActivation, unitScores } from './maximise.js';
export { type SaliencyResult, saliencyMaps } from './saliency.js';
export { toBatch, fromBatch } from './float-image.js';
export { type RebuildOptions, rebuildForInference } from './rebuild.js';
export { type DeepDreamOptions, KERAS_DREAM_LAYERS, deepDream, dreamLoss, octaveSizes } from './deep-dream.js';
export {
  type StyleTransferOptions,
  type StyleLosses,
  styleTransfer,
  gramMatrix,
  totalVariation,
} from './style-transfer.js';
// Pictures as PNG: decoding photos, encoding tensors, tiled grids, learning curves, confusion matrices.
export {
  type Rgb,
  type Raster,
  type FloatImage,
  type DecodeOptions,
  type Normalize,
  type ToRasterOptions,
  type Tile,
  type TileOptions,
  DEFAULT_MAX_PIXELS,
  imageInfo,
  decodeImagePixels,
  decodeImage,
  readImageFile,
  createRaster,
  encodePng,
  writePng,
  toRaster,
  tensorToRaster,
  heatColor,
  scaleRaster,
  blit,
  tileImages,
  fitText,
} from './image.js';
export { type TextStyle, drawText, textWidth, textHeight } from './plot-font.js';
export { type LineStyle, setPixel, fillRect, strokeRect, drawLine, drawPolyline } from './plot-draw.js';
export { niceTicks } from './plot-axes.js';
export { type HistoryLike, type HistoryPlotOptions, renderHistoryPlot, plotHistory } from './plot-history.js';
export { type ConfusionPlotOptions, renderConfusionMatrix, plotConfusionMatrix, cellColor } from './plot-confusion.js';
export { type SmoothGradOptions, smoothGrad } from './smooth-grad.js';
export { type GradCamResult, gradCam, splitChain } from './grad-cam.js';
export { randomisedCopy, ranks, spearman } from './sanity.js';
