import * as tf from '@tensorflow/tfjs';
import { editableValues, nonZeroRows, readValues, type RowGradientSink, type RowPatch } from '@cnn-lab/core';

/**
 * Adadelta on an embedding table, touching only the rows a batch used, with the same result as the dense
 * update Kim's code makes over the whole table.
 *
 * A row that no sentence of the batch used has a zero gradient. Dense Adadelta then still decays both of its
 * accumulators by rho and moves the row by exactly 0 (the step is proportional to the gradient). So a skipped
 * row owes nothing but rho^k on its accumulators after k skipped steps: we note the step each row is current
 * to, settle that debt when the row is next used (or before the state is read), and never touch the other
 * rows. With a 20,000-word vocabulary that is ~1,000 rows of 300 per step instead of 6 million values times
 * the dozen tensor ops of the dense update.
 */
export interface AdadeltaParams {
  learningRate: number;
  rho: number;
  epsilon: number;
}

/** Accumulators of one table, kept in plain arrays so that single rows can be read and written. */
export interface RowState {
  /** E[g^2] per value. */
  accGrad: Float32Array;
  /** E[dx^2] per value. */
  accUpdate: Float32Array;
  /** The step each row's accumulators are current to (every step before it applied). */
  current: Float64Array;
  width: number;
}

export function createRowState(rows: number, width: number): RowState {
  return {
    accGrad: new Float32Array(rows * width),
    accUpdate: new Float32Array(rows * width),
    current: new Float64Array(rows),
    width,
  };
}

/** Applies the rho^k that row r owes for the steps between its last use and `step`. */
function settleRow(state: RowState, r: number, step: number, rho: number): void {
  const missed = step - (state.current[r] as number);
  if (missed <= 0) return;
  const decay = rho ** missed;
  const { accGrad, accUpdate, width } = state;
  for (let j = r * width; j < (r + 1) * width; j++) {
    accGrad[j] = (accGrad[j] as number) * decay;
    accUpdate[j] = (accUpdate[j] as number) * decay;
  }
  state.current[r] = step;
}

/**
 * Zeiler's Adadelta (the current gradient inside the RMS, as adadelta.ts) as step `step` (0-based) on the rows
 * whose gradient is not all zero; returns how many rows moved. `weights` and `grad` are rows x width.
 */
export function adadeltaRowStep(
  weights: Float32Array,
  grad: Float32Array,
  state: RowState,
  step: number,
  p: AdadeltaParams,
  frozen: ReadonlySet<number> = NONE,
): number {
  const { width } = state;
  const rows = state.current.length;
  if (weights.length !== rows * width || grad.length !== rows * width) {
    throw new Error(
      `adadeltaRowStep: expected ${rows} x ${width} values, got weights ${weights.length} and gradient ${grad.length}`,
    );
  }
  return adadeltaPatchStep(weights, nonZeroRows(grad, width), state, step, p, frozen);
}

const NONE: ReadonlySet<number> = new Set();

/** The same step given only the rows with a gradient (`grad.rows[k]`'s is `grad.values` row k); returns how many moved. */
export function adadeltaPatchStep(
  weights: Float32Array,
  grad: RowPatch,
  state: RowState,
  step: number,
  p: AdadeltaParams,
  frozen: ReadonlySet<number> = NONE,
): number {
  const { width } = state;
  const rows = state.current.length;
  if (weights.length !== rows * width || grad.values.length !== grad.rows.length * width) {
    throw new Error(
      `adadeltaPatchStep: expected a ${rows} x ${width} table and ${grad.rows.length} x ${width} gradient values`,
    );
  }
  let moved = 0;
  grad.rows.forEach((r, k) => {
    if (!(r >= 0 && r < rows)) throw new Error(`adadeltaPatchStep: row ${r} is outside the table (${rows} rows)`);
    if (frozen.has(r)) return;
    updateRow(weights, grad.values, k * width, r, state, step, p);
    moved++;
  });
  return moved;
}

/** Row r's Adadelta step, its gradient read from `grad` at `from`. */
function updateRow(
  weights: Float32Array,
  grad: Float32Array,
  from: number,
  r: number,
  state: RowState,
  step: number,
  p: AdadeltaParams,
): void {
  const { accGrad, accUpdate, width } = state;
  const { rho, epsilon, learningRate } = p;
  // The rho^k the row owes (settleRow), applied in the same pass: rounded to float32 as storing it would.
  const missed = step - (state.current[r] as number);
  const decay = missed > 0 ? rho ** missed : 1;
  for (let i = 0, j = r * width; i < width; i++, j++) {
    const g = grad[from + i] as number;
    const ag = missed > 0 ? Math.fround((accGrad[j] as number) * decay) : (accGrad[j] as number);
    const au = missed > 0 ? Math.fround((accUpdate[j] as number) * decay) : (accUpdate[j] as number);
    const eg = rho * ag + (1 - rho) * g * g;
    const dx = (Math.sqrt(au + epsilon) / Math.sqrt(eg + epsilon)) * g;
    accGrad[j] = eg;
    accUpdate[j] = rho * au + (1 - rho) * dx * dx;
    weights[j] = (weights[j] as number) - learningRate * dx;
  }
  state.current[r] = step + 1;
}

/** Brings every row's accumulators to `step`, as the dense update would hold them. */
export function settleAllRows(state: RowState, step: number, rho: number): void {
  for (let r = 0; r < state.current.length; r++) settleRow(state, r, step, rho);
}

/** tfjs's optimizer state entry (tfjs 4.22 does not export the type). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const ACC_GRAD = '/accum_grad';
const ACC_UPDATE = '/accum_var';

/**
 * Wraps an Adadelta optimizer (Zeiler's: see adadelta.ts) so that the named embedding tables get the row-wise
 * update above; every other variable goes to the wrapped optimizer unchanged. Same result as the wrapped
 * optimizer alone, up to float rounding; checkpoints save the tables' accumulators settled to the current step.
 * The rows always get Zeiler's update, so wrap Zeiler's Adadelta (kimAdadelta), not tfjs's stock one, whose
 * class name is the same but whose step is not.
 */
export class LazyRowsAdadelta extends tf.Optimizer implements RowGradientSink {
  static get className(): string {
    return 'LazyRowsAdadelta';
  }

  private readonly states = new Map<string, RowState>();
  private readonly dense: tf.AdadeltaOptimizer;
  private readonly rowVariables: ReadonlySet<string>;
  private readonly frozenRows: ReadonlySet<number>;

  /** `frozenRows`: rows of every table that never move (Kim's padding word, kept at zero). */
  constructor(dense: tf.Optimizer, rowVariables: Iterable<string>, frozenRows: Iterable<number> = []) {
    super();
    this.frozenRows = new Set(frozenRows);
    // tfjs's optimizers answer instanceof by duck typing (any optimizer is an AdadeltaOptimizer), so ask the class name.
    if (dense.getClassName() !== tf.AdadeltaOptimizer.className)
      throw new Error(`LazyRowsAdadelta wraps an Adadelta optimizer, got ${dense.getClassName()}`);
    this.dense = dense as tf.AdadeltaOptimizer;
    this.rowVariables = new Set(rowVariables);
  }

  private get params(): AdadeltaParams {
    const c = this.dense.getConfig();
    return { learningRate: c['learningRate'] as number, rho: c['rho'] as number, epsilon: c['epsilon'] as number };
  }

  /** Core's setLearningRate writes this field; the wrapped optimizer owns it. */
  get learningRate(): number {
    return this.params.learningRate;
  }

  set learningRate(lr: number) {
    (this.dense as unknown as { learningRate: number }).learningRate = lr;
  }

  override get iterations(): number {
    return this.dense.iterations;
  }

  private stateFor(variable: tf.Variable): RowState {
    let state = this.states.get(variable.name);
    if (!state) {
      if (variable.shape.length !== 2)
        throw new Error(`LazyRowsAdadelta: ${variable.name} is not a table (shape ${JSON.stringify(variable.shape)})`);
      const [rows, width] = variable.shape as [number, number];
      state = createRowState(rows, width);
      state.current.fill(this.iterations);
      this.states.set(variable.name, state);
    }
    return state;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const step = this.iterations;
    const params = this.params;
    const rest: NamedTensor[] = [];
    for (const { name, tensor } of list) {
      if (!this.rowVariables.has(name)) {
        rest.push({ name, tensor });
        continue;
      }
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`LazyRowsAdadelta: no variable named ${name}`);
      const state = this.stateFor(variable);
      const target = editableValues(variable);
      adadeltaRowStep(target.values, readValues(tensor), state, step, params, this.frozenRows);
      target.commit();
    }
    // Always called, also with nothing left: it counts the step for both of us.
    this.dense.applyGradients(rest);
  }

  /**
   * A table's gradient as its non-zero rows (core's trainer with workers sends these instead of a dense table):
   * called before applyGradients of the same step, which then leaves the table out.
   */
  applyRowGradients(variableName: string, gradient: RowPatch): void {
    if (!this.rowVariables.has(variableName))
      throw new Error(`LazyRowsAdadelta: ${variableName} is not one of its tables`);
    const variable = tf.engine().registeredVariables[variableName];
    if (!variable) throw new Error(`LazyRowsAdadelta: no variable named ${variableName}`);
    const target = editableValues(variable);
    adadeltaPatchStep(target.values, gradient, this.stateFor(variable), this.iterations, this.params, this.frozenRows);
    target.commit();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const { rho } = this.params;
    const own: NamedTensor[] = [];
    for (const [name, state] of this.states) {
      settleAllRows(state, this.iterations, rho);
      const shape = [state.current.length, state.width];
      own.push(
        { name: name + ACC_GRAD, tensor: tf.tensor(state.accGrad, shape) },
        { name: name + ACC_UPDATE, tensor: tf.tensor(state.accUpdate, shape) },
      );
    }
    return [...(await this.dense.getWeights()), ...own];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const ownName = (n: string) => [...this.rowVariables].some((v) => n === v + ACC_GRAD || n === v + ACC_UPDATE);
    await this.dense.setWeights(weightValues.filter((w) => !ownName(w.name)));
    this.states.clear();
    for (const name of this.rowVariables) {
      const g = weightValues.find((w) => w.name === name + ACC_GRAD);
      const u = weightValues.find((w) => w.name === name + ACC_UPDATE);
      if (!g || !u) continue;
      const [rows, width] = g.tensor.shape as [number, number];
      const state = createRowState(rows, width);
      state.accGrad.set(g.tensor.dataSync());
      state.accUpdate.set(u.tensor.dataSync());
      state.current.fill(this.iterations);
      this.states.set(name, state);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.dense.getConfig();
  }

  override dispose(): void {
    this.dense.dispose();
    this.states.clear();
  }
}
