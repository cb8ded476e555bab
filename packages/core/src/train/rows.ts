import * as tf from '@tensorflow/tfjs';
import { heapValues } from '../backend/heap.js';

/**
 * Row access to embedding tables. A batch of sentences uses a few hundred rows of a table of tens of thousands,
 * and only those rows get a gradient; copying or rewriting the whole table (24 MB for 20,000 words x 300) every
 * step would cost more than the step itself.
 */

/** Some rows of a rows x width table: `values` holds rows.length x width numbers, row by row. */
export interface RowPatch {
  rows: Int32Array;
  values: Float32Array;
}

interface WasmBackendLike {
  refCount(dataId: object): number;
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: object }): Float32Array;
}

function wasmBackend(): WasmBackendLike | null {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendLike) : null;
}

/** A float32 tensor's values to read, not keep: a view into the wasm heap where possible (no copy). */
export function readValues(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return heapValues(t) as Float32Array;
}

/**
 * On wasm, gives a variable a buffer no other tensor shares (a clone of it shares its buffer), so that writing
 * the buffer in place changes nothing else. The variable gets a new dataId only if it had to be copied.
 */
export function ownBuffer(variable: tf.Variable): void {
  const wasm = wasmBackend();
  if (!wasm || wasm.refCount(variable.dataId) <= 1) return;
  const own = tf.tidy(() => tf.mul(variable, 1));
  variable.assign(own);
  own.dispose();
}

/**
 * A variable's values to change in place, and how to make the change stick. On wasm we write straight into the
 * variable's buffer in the heap, after giving the variable a buffer of its own if another tensor shares it (a
 * clone of the best epoch's weights does); elsewhere we edit a copy and assign it back. An in-place edit keeps
 * the variable's dataId, so whoever tracks changes by dataId must be told (see the trainer's rowTables).
 */
export function editableValues(variable: tf.Variable): { values: Float32Array; commit(): void } {
  const wasm = wasmBackend();
  if (wasm) {
    ownBuffer(variable);
    return { values: wasm.typedArrayFromHeap(variable), commit: () => undefined };
  }
  const values = Float32Array.from(variable.dataSync() as Float32Array);
  return { values, commit: () => tf.tidy(() => variable.assign(tf.tensor(values, variable.shape))) };
}

/**
 * The rows of a rows x width table that hold a non-zero value (NaN counts), copied out. Most rows of an
 * embedding gradient are zero and must be read to the end, so the scan reads two floats at a time through a
 * float64 view where the layout allows: the double is 0 only when both floats are zero, and any non-zero bits,
 * NaN included, make it non-zero (a row whose only "value" is a -0 may be kept: a zero step, harmless). About
 * twice as fast as float by float on a 17,000 x 300 table.
 */
export function nonZeroRows(table: Float32Array, width: number): RowPatch {
  if (!(Number.isInteger(width) && width > 0 && table.length % width === 0)) {
    throw new Error(`nonZeroRows: a table of ${table.length} values does not split into rows of ${width}`);
  }
  const rows: number[] = [];
  const pairs =
    width % 2 === 0 && table.byteOffset % 8 === 0
      ? new Float64Array(table.buffer, table.byteOffset, table.length / 2)
      : null;
  const scan: Float32Array | Float64Array = pairs ?? table;
  const step = pairs ? width / 2 : width;
  for (let start = 0, row = 0; start < scan.length; start += step, row++) {
    for (let j = start; j < start + step; j++) {
      if (scan[j] !== 0) {
        rows.push(row);
        break;
      }
    }
  }
  return takeRows(table, width, rows);
}

/**
 * `nonZeroRows` of a table whose non-zero rows can only be among `candidates` (the ids a step gathered): only those
 * rows are read. The same patch as nonZeroRows whenever the candidates hold every non-zero row; a gradient of
 * 17,000 x 300 is otherwise scanned in full at every step (4 ms of a 70 ms step on MR).
 */
export function nonZeroRowsAmong(table: Float32Array, width: number, candidates: Iterable<number>): RowPatch {
  if (!(Number.isInteger(width) && width > 0 && table.length % width === 0)) {
    throw new Error(`nonZeroRowsAmong: a table of ${table.length} values does not split into rows of ${width}`);
  }
  const total = table.length / width;
  const sorted = [...new Set(candidates)].sort((a, b) => a - b);
  const rows: number[] = [];
  for (const r of sorted) {
    if (!(Number.isInteger(r) && r >= 0 && r < total))
      throw new Error(`nonZeroRowsAmong: row ${r} is outside the table (${total} rows)`);
    for (let j = r * width; j < (r + 1) * width; j++) {
      if (table[j] !== 0) {
        rows.push(r);
        break;
      }
    }
  }
  return takeRows(table, width, rows);
}

/**
 * The rows each table gave out during a training step's forward pass, by variable name, noted by the layer that
 * gathers them (`noteRowsGathered`): the only rows its gradient can have non-zero. Outside `collectRowsGathered`
 * nothing is noted, so inference pays nothing. `byRows`: the tables whose gradient the caller reads only at those
 * rows (tableGradient may then leave the others unset).
 */
let gathered: { rows: Map<string, Int32Array[]>; byRows: ReadonlySet<string> } | null = null;

/** Whether a step is collecting gathered rows (a layer reads its ids only then). */
export function collectingRowsGathered(): boolean {
  return gathered !== null;
}

/**
 * Called by a layer that owns a table and looks rows up in it: `ids` are the rows this call read. A table's every
 * lookup must be noted (its gradient is then trusted to be zero on the rows not noted).
 */
export function noteRowsGathered(variableName: string, ids: Int32Array): void {
  if (!gathered) return;
  const list = gathered.rows.get(variableName);
  if (list) list.push(ids);
  else gathered.rows.set(variableName, [ids]);
}

/**
 * Runs `fn` (a forward and backward pass) and returns what it returned and the rows noted meanwhile. `byRows`
 * names the tables whose gradients the caller will read only at the noted rows, and disposes unread.
 */
export function collectRowsGathered<T>(
  fn: () => T,
  byRows: ReadonlySet<string> = new Set(),
): { result: T; rows: ReadonlyMap<string, Int32Array[]> } {
  const outer = gathered;
  const mine = { rows: new Map<string, Int32Array[]>(), byRows };
  gathered = mine;
  try {
    return { result: fn(), rows: mine.rows };
  } finally {
    gathered = outer;
  }
}

/**
 * The gradient of a lookup `table[ids]` whose output gradient is `dy` [ids, width]: dy's rows summed into a
 * [rows, width] table (tf.unsortedSegmentSum). When the step's caller reads this table's gradient by rows only
 * (collectRowsGathered's byRows), only the rows any lookup of the table noted are zeroed and summed into on wasm;
 * the rest of the 20 MB is never written (zeroing it took 2.4 ms a step for MR's 17,000 words).
 */
export function tableGradient(
  dy: tf.Tensor2D,
  ids: tf.Tensor1D,
  rows: number,
  variableName: string | null,
): tf.Tensor2D {
  const noted =
    variableName !== null && gathered?.byRows.has(variableName) ? gathered.rows.get(variableName) : undefined;
  if (!noted || tf.getBackend() !== 'wasm') return tf.unsortedSegmentSum(dy, ids, rows);
  const zeroRows = Int32Array.from(new Set(noted.flatMap((a) => [...a])));
  const attrs = { numSegments: rows, zeroRows } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel<tf.Tensor2D>('UnsortedSegmentSum', { x: dy, segmentIds: ids }, attrs);
}

/** Copies of the given rows of a rows x width table. */
export function takeRows(table: Float32Array, width: number, rows: Iterable<number>): RowPatch {
  const ids = Int32Array.from(rows);
  const values = new Float32Array(ids.length * width);
  ids.forEach((r, k) => values.set(table.subarray(r * width, (r + 1) * width), k * width));
  return { rows: ids, values };
}

/** Writes a patch's rows into a 2-D variable. */
export function writeRows(variable: tf.Variable, patch: RowPatch): void {
  const width = variable.shape[1] as number;
  const rows = variable.shape[0];
  const target = editableValues(variable);
  patch.rows.forEach((r, k) => {
    if (!(r >= 0 && r < rows)) throw new Error(`writeRows: row ${r} is outside ${variable.name} (${rows} rows)`);
    target.values.set(patch.values.subarray(k * width, (k + 1) * width), r * width);
  });
  target.commit();
}

/**
 * An optimizer that takes an embedding table's gradient as rows (a row-wise optimizer). The trainer calls it
 * for each row table before applyGradients of the same step, and leaves those tables out of that call.
 */
export interface RowGradientSink {
  applyRowGradients(variableName: string, gradient: RowPatch): void;
}

export function acceptsRowGradients(optimizer: object): optimizer is RowGradientSink {
  return typeof (optimizer as Partial<RowGradientSink>).applyRowGradients === 'function';
}

/** `scale` x each patch's rows, summed: one patch holding every row any of them has, each once. */
export function mergePatches(patches: readonly { patch: RowPatch; scale: number }[], width: number): RowPatch {
  const slot = new Map<number, number>();
  for (const { patch } of patches) for (const r of patch.rows) if (!slot.has(r)) slot.set(r, slot.size);
  const values = new Float32Array(slot.size * width);
  for (const { patch, scale } of patches) {
    patch.rows.forEach((r, k) => {
      const dst = (slot.get(r) as number) * width;
      const src = k * width;
      for (let j = 0; j < width; j++)
        values[dst + j] = (values[dst + j] as number) + scale * (patch.values[src + j] as number);
    });
  }
  return { rows: Int32Array.from(slot.keys()), values };
}

/** A patch spread into a dense rows x width table, zero elsewhere (for optimizers that want the whole table). */
export function denseFromRows(patch: RowPatch, rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  patch.rows.forEach((r, k) => out.set(patch.values.subarray(k * width, (k + 1) * width), r * width));
  return out;
}
