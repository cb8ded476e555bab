/** One mini-batch as plain typed arrays, so it can cross a worker boundary without copying through JSON. */
export interface ArrayBatch {
  xs: { data: Float32Array | Int32Array; shape: number[] };
  /** The class index of each example. */
  ys: Int32Array;
}

/**
 * A training or evaluation set. `batches` must yield the same batches for the same (epoch, batchSize,
 * seed), so that a seeded run repeats and a resumed run sees the batches it would have seen.
 */
export interface DataSource {
  size: number;
  batches(epoch: number, batchSize: number, seed: number): AsyncIterable<ArrayBatch>;
}

export interface StepResult {
  /** Mean cross-entropy over the batch (plus any weight-regulariser penalty). */
  loss: number;
  /** Fraction of the batch whose most likely class is the label. */
  accuracy: number;
  /** Examples in the batch. */
  count: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
  examplesPerSecond: number;
  lr: number;
}

export interface History {
  epochs: EpochRecord[];
  /** The epoch (1-based) with the best monitored metric, or null before any epoch finished. */
  bestEpoch: number | null;
  stoppedEarly: boolean;
  interrupted: boolean;
}
