/** Messages between the data stream (main thread) and its feature workers. */

export interface WorkerJob {
  /** Absolute paths of the SGF files this worker encodes, in this order. */
  files: string[];
  /** Feature set name (see src/features). */
  featureSet: string;
  /** Seeds the random symmetry of each example; fixed by (seed, epoch, worker) so runs repeat. */
  seed: number;
  /** Apply one of the 8 board symmetries at random to every example. */
  symmetries: boolean;
  /** Examples per message. */
  chunkSize: number;
}

/** Main -> worker: permission to send one more chunk (backpressure: workers never run far ahead). */
export interface MoreMessage {
  type: 'more';
}

/** Worker -> main: encoded examples, planes point-major (361 x planes bytes each, 0/1), targets as point index. */
export interface ChunkMessage {
  type: 'chunk';
  count: number;
  planes: Uint8Array;
  moves: Int32Array;
  /** The move number of each example's target move (1 = the game's first move), for accuracy by stage. */
  moveNumbers: Int32Array;
}

export interface DoneMessage {
  type: 'done';
  games: number;
  positions: number;
  /** Skipped files by reason, with one example path each. */
  skipped: Record<string, { count: number; example: string }>;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type WorkerMessage = ChunkMessage | DoneMessage | ErrorMessage;
