/** Messages between the trainer and its gradient workers; arrays travel as transferables, never JSON. */
import type { RowPatch } from './rows.js';

export interface InitMessage {
  type: 'init';
  /** `model.toJSON()` of the model being trained. */
  topology: string;
  backend: string;
  /** Indices into `model.weights` of the embedding tables that travel row by row (TrainerOptions.rowTables). */
  rowTables: number[];
  /** Module URLs to import before rebuilding the model: they register the app's custom layers (registerWorkerModule). */
  modules: string[];
}

export interface StepMessage {
  type: 'step';
  id: number;
  /**
   * Every model weight (trainable and not), in `model.weights` order; null for one unchanged since the
   * last step this worker saw (frozen embeddings need not cross again every step); for a row table, the
   * rows changed since then.
   */
  weights: (Float32Array | RowPatch | null)[];
  xs: Float32Array | Int32Array;
  xsShape: number[];
  ys: Int32Array;
  seed: number;
}

export type ToWorker = InitMessage | StepMessage | { type: 'close' };

export interface ReadyMessage {
  type: 'ready';
  backend: string;
}

export interface ResultMessage {
  type: 'result';
  id: number;
  loss: number;
  correct: number;
  count: number;
  /** Gradients in `model.trainableWeights` order; a row table's as its non-zero rows. */
  grads: (Float32Array | RowPatch)[];
  /** Non-trainable weights after the step (batch-norm statistics), in `model.nonTrainableWeights` order. */
  state: Float32Array[];
}

export interface ErrorMessage {
  type: 'error';
  id?: number;
  message: string;
}

export type FromWorker = ReadyMessage | ResultMessage | ErrorMessage;
