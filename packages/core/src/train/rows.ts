import * as tf from '@tensorflow/tfjs';

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
  const wasm = wasmBackend();
  return wasm ? wasm.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
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
    if (wasm.refCount(variable.dataId) > 1) {
      const own = tf.tidy(() => tf.mul(variable, 1));
      variable.assign(own);
      own.dispose();
    }
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
  const rows = variable.shape[0] as number;
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
