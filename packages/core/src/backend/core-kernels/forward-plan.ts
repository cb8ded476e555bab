import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { activationFlags, geometry, useWinograd, WINOGRAD_BLOCK_FLOATS, type Geometry } from './conv.js';
import { coreKernels, type CoreKernels } from './module.js';

/*
 * A forward pass of a chain of layers run straight on core's wasm kernels, for small batches (a game's one
 * position, a search's few). Through model.predict each layer of a 19x19 net at batch 1 is a small GEMM, and
 * tfjs's dispatch per kernel (tensor bookkeeping, the Winograd filter transform or the GEMM packing of the
 * weights on every call, scratch allocation) costs as much as the arithmetic. Here the weights are packed once
 * when the plan is made, every buffer lives in the wasm heap for as long as the plan, and a convolution is one
 * or two calls into wasm.
 *
 * Layers taken: InputLayer; Conv2D (channels last, dilation 1, any strides, 'same' or 'valid', activation
 * linear, relu or relu6, with or without bias); and, after the convolutions, on the flat output in JS:
 * Flatten, Dropout (inference: nothing), Activation / ReLU / Softmax (softmax over the last axis), and layers
 * the caller hands an elementwise function for (`custom`). Anything else is a ForwardPlanUnsupported error
 * naming the layer. CNN_LAB_FORWARD_PLAN=off turns the plan off (every createForwardPlan throws), so that callers
 * fall back to model.predict and the two can be compared.
 */

/** A model the plan cannot run, or a backend without core's kernels: use model.predict instead. */
export class ForwardPlanUnsupported extends Error {
  override name = 'ForwardPlanUnsupported';
}

/**
 * In-place function for a layer the plan does not know, applied to the flat per-example outputs of a batch:
 * `x` holds `batch` examples of `size` floats each.
 */
export type PlanLayerFunction = (x: Float32Array, batch: number, size: number) => void;

export interface ForwardPlanOptions {
  /** Elementwise functions for custom layers, by class name: given the layer, return what it does to its input. */
  custom?: Record<string, (layer: tf.layers.Layer) => PlanLayerFunction>;
}

export interface ForwardPlan {
  /** Per-example input shape [h, w, c]. */
  readonly inputShape: readonly [number, number, number];
  /** Floats per example of the output. */
  readonly outputSize: number;
  /**
   * The outputs of `batch` examples (NHWC, `batch * h * w * c` floats from the start of `input`), a fresh array
   * of batch * outputSize floats.
   */
  predict(input: Float32Array, batch: number): Float32Array;
  /** How many predict calls so far ran the first layer from the input's non-zeros (SPARSE_INPUT_SHARE). */
  readonly sparseCalls: number;
  /** Frees the plan's heap buffers; the plan cannot run after. */
  dispose(): void;
}

interface ConvStep {
  kind: 'conv';
  name: string;
  h: number;
  w: number;
  c: number;
  fh: number;
  fw: number;
  co: number;
  strides: [number, number];
  pad: 'same' | 'valid';
  flags: number;
  /** Heap byte addresses of the packed filter and of the bias (0: none), made once. */
  winograd: boolean;
  packed: number;
  bias: number;
  oh: number;
  ow: number;
  /** Winograd: 4x4 output tiles down and across. */
  th: number;
  tw: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  /**
   * The kernel as stored ([fh, fw, c, co] in the heap) when the layer may run from its input's non-zeros (the first
   * layer, stride 1, co a multiple of 16); 0 otherwise.
   */
  raw: number;
}

/**
 * The first layer runs from its input's non-zeros (sparse_rows, sparse_conv) when at most this share of the input
 * is non-zero. A Go position's 48 planes are about a tenth non-zero: non-zeros x taps x co multiply-adds against
 * h x w x taps x c x co for the GEMM, at a lower rate (a load of the filter row per multiply-add).
 */
export const SPARSE_INPUT_SHARE = 0.25;

interface JsStep {
  kind: 'js';
  name: string;
  run: PlanLayerFunction;
}

/** Per convolution, what depends on the batch size: its geometry and index table (small, kept per size). */
interface LayerTables {
  g: Geometry;
  ind: number;
  ntiles: number;
  /** Winograd: tiles per block. */
  tb: number;
}

/** Per convolution, the large buffers, sized for the largest batch so far and shared by every smaller one. */
interface LayerBuffers {
  /** Padded input. */
  xp: number;
  out: number;
  /** Winograd: transformed input and products of one block. */
  v: number;
  m: number;
  /** The first layer's input non-zeros (sparse_rows): entries and per-pixel starts; 0 when it never runs sparse. */
  ent: number;
  start: number;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

function heapF32(kernels: CoreKernels): Float32Array {
  return (kernels.backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

/** A 16-byte aligned heap block of `floats` (plus the slack the micro-kernels may read past its end). */
class Heap {
  private readonly blocks = new Map<number, number>();
  constructor(private readonly backend: BackendWasm) {}

  alloc(floats: number): number {
    const wasm = this.backend.wasm as unknown as { _malloc(n: number): number };
    const p = wasm._malloc(floats * 4 + 96);
    if (!p) throw new Error(`wasm heap: cannot allocate ${floats * 4 + 96} bytes`);
    const aligned = (p + 15) & ~15;
    this.blocks.set(aligned, p);
    return aligned;
  }

  /** Frees one block (0: nothing). */
  release(aligned: number): void {
    const p = this.blocks.get(aligned);
    if (p === undefined) return;
    (this.backend.wasm as unknown as { _free(p: number): void })._free(p);
    this.blocks.delete(aligned);
  }

  free(): void {
    const wasm = this.backend.wasm as unknown as { _free(p: number): void };
    for (const p of this.blocks.values()) wasm._free(p);
    this.blocks.clear();
  }
}

function convInfo(s: ConvStep, n: number): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    [n, s.h, s.w, s.c],
    [s.fh, s.fw, s.c, s.co],
    s.strides,
    1,
    s.pad,
    undefined,
    false,
    'channelsLast',
  );
}

function pair(v: unknown, what: string, layer: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x) && (x as number) > 0))
    throw new ForwardPlanUnsupported(`layer '${layer}': ${what} ${JSON.stringify(v)} is not two positive integers`);
  return a as [number, number];
}

function softmaxRows(x: Float32Array, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let max = -Infinity;
    for (let i = 0; i < width; i++) max = Math.max(max, x[o + i]!);
    let sum = 0;
    for (let i = 0; i < width; i++) {
      const e = Math.exp(x[o + i]! - max);
      x[o + i] = e;
      sum += e;
    }
    for (let i = 0; i < width; i++) x[o + i] = x[o + i]! / sum;
  }
}

function activationStep(name: string, activation: string, lastAxis: number): JsStep {
  switch (activation) {
    case 'linear':
      return { kind: 'js', name, run: () => undefined };
    case 'relu':
      return {
        kind: 'js',
        name,
        run: (x, batch, size) => {
          for (let i = 0; i < batch * size; i++) if (x[i]! < 0) x[i] = 0;
        },
      };
    case 'softmax':
      return { kind: 'js', name, run: (x, batch, size) => softmaxRows(x, (batch * size) / lastAxis, lastAxis) };
    default:
      throw new ForwardPlanUnsupported(`layer '${name}': activation '${activation}' is not one the plan runs`);
  }
}

/**
 * A forward plan of `model` on the current wasm backend with core's kernels. Throws ForwardPlanUnsupported
 * when the backend is not wasm, core's kernels are off, or a layer is not one the plan takes (the message
 * names it). The weights are read once: make a new plan after training changes them.
 */
export function createForwardPlan(model: tf.LayersModel, opts: ForwardPlanOptions = {}): ForwardPlan {
  const env = (process.env['CNN_LAB_FORWARD_PLAN'] ?? '').trim().toLowerCase();
  if (env === 'off') throw new ForwardPlanUnsupported('switched off (CNN_LAB_FORWARD_PLAN=off)');
  if (tf.getBackend() !== 'wasm') throw new ForwardPlanUnsupported(`backend is '${tf.getBackend()}', not wasm`);
  const backend = tf.backend() as BackendWasm;
  const kernels = coreKernels(backend);
  if (!kernels) throw new ForwardPlanUnsupported("core's wasm kernels are off (CNN_LAB_WASM_KERNELS=off)");
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new ForwardPlanUnsupported('the plan runs models with one input and one output');
  const shape = model.inputs[0]!.shape;
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null))
    throw new ForwardPlanUnsupported(`input shape [${shape.join(',')}]: expected [batch, h, w, c]`);
  const inputShape = shape.slice(1) as [number, number, number];

  const heap = new Heap(backend);
  const convs: ConvStep[] = [];
  const tail: JsStep[] = [];
  let [h, w, c] = inputShape;
  let prev: tf.SymbolicTensor = model.inputs[0]!;
  let flat = false;
  try {
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls === 'InputLayer') continue;
      // A chain: each layer takes the previous one's output.
      const inbound = layer.inboundNodes;
      if (inbound.length !== 1 || inbound[0]!.inputTensors.length !== 1 || inbound[0]!.inputTensors[0] !== prev)
        throw new ForwardPlanUnsupported(`layer '${layer.name}': the plan runs a plain chain of layers`);
      prev = layer.output as tf.SymbolicTensor;
      const config = layer.getConfig() as Record<string, unknown>;
      const custom = opts.custom?.[cls];
      if (custom) {
        tail.push({ kind: 'js', name: layer.name, run: custom(layer) });
        continue;
      }
      if (cls === 'Conv2D') {
        if (tail.length > 0 || flat)
          throw new ForwardPlanUnsupported(`layer '${layer.name}': a convolution after a non-convolution layer`);
        convs.push(convStep(kernels, heap, layer, config, h, w, c, convs.length === 0));
        const s = convs[convs.length - 1]!;
        [h, w, c] = [s.oh, s.ow, s.co];
        continue;
      }
      if (cls === 'Flatten') {
        flat = true;
        continue;
      }
      if (cls === 'Dropout' || cls === 'SpatialDropout2D' || cls === 'GaussianNoise' || cls === 'GaussianDropout')
        continue;
      const lastAxis = flat ? h * w * c : c;
      if (cls === 'Activation') {
        tail.push(activationStep(layer.name, String(config['activation']), lastAxis));
        continue;
      }
      if (cls === 'ReLU' && config['maxValue'] == null && !config['threshold'] && !config['negativeSlope']) {
        tail.push(activationStep(layer.name, 'relu', lastAxis));
        continue;
      }
      const rank = (layer.input as tf.SymbolicTensor).shape.length;
      const axis = typeof config['axis'] === 'number' ? config['axis'] : -1;
      if (cls === 'Softmax' && (axis + rank) % rank === rank - 1) {
        tail.push(activationStep(layer.name, 'softmax', lastAxis));
        continue;
      }
      throw new ForwardPlanUnsupported(`layer '${layer.name}' (${cls}) is not one the plan runs`);
    }
    if (convs.length === 0) throw new ForwardPlanUnsupported('the model has no Conv2D layer');
  } catch (err) {
    heap.free();
    throw err;
  }
  const outputSize = h * w * c;
  const tables = new Map<number, LayerTables[]>();
  let capacity = 0;
  let input = 0;
  let buffers: LayerBuffers[] = [];
  const tmp = heap.alloc(36 * 4);
  let disposed = false;
  let sparseCalls = 0;
  const perExample = inputShape[0] * inputShape[1] * inputShape[2];
  const { k, mr, nr, ctx } = kernels;
  // Read once: the buffers are sized by it.
  const blockFloats = WINOGRAD_BLOCK_FLOATS;
  const blockTiles = (s: ConvStep, n: number): number => {
    const cp = ceilDiv(s.c, 4) * 4;
    return Math.min(n * s.th * s.tw, Math.max(8, Math.floor(blockFloats / (36 * (cp + s.co)))));
  };

  /**
   * The large buffers for batches up to n, kept while big enough. Only two activations are alive at a time, so
   * the layers take turns with two output buffers and share one padded input and one Winograd workspace.
   */
  const reserve = (n: number): void => {
    if (n <= capacity) return;
    for (const p of new Set([input, ...buffers.flatMap((b) => [b.xp, b.out, b.v, b.m, b.ent, b.start])]))
      heap.release(p);
    let out = 0;
    let xp = 0;
    let v = 0;
    let m = 0;
    for (const s of convs) {
      out = Math.max(out, n * s.oh * s.ow * s.co);
      if (s.winograd) {
        const cp = ceilDiv(s.c, 4) * 4;
        const tb = blockTiles(s, n);
        xp = Math.max(xp, n * (s.th * 4 + 2) * (s.tw * 4 + 2) * cp);
        v = Math.max(v, 36 * tb * cp);
        m = Math.max(m, 36 * tb * ceilDiv(s.co, nr) * nr);
      } else {
        xp = Math.max(xp, n * (s.h + s.padTop + s.padBottom) * (s.w + s.padLeft + s.padRight) * s.c);
      }
    }
    input = heap.alloc(n * perExample);
    const outs = [heap.alloc(out), heap.alloc(out)] as const;
    const sparse = convs[0]!.raw !== 0;
    const shared = {
      xp: heap.alloc(xp),
      v: v ? heap.alloc(v) : 0,
      m: m ? heap.alloc(m) : 0,
      ent: sparse ? heap.alloc(2 * n * perExample) : 0,
      start: sparse ? heap.alloc(n * inputShape[0] * inputShape[1] + 1) : 0,
    };
    buffers = convs.map((_, i) => ({ ...shared, out: outs[i % 2]! }));
    capacity = n;
  };

  const tablesFor = (n: number): LayerTables[] => {
    const got = tables.get(n);
    if (got) return got;
    const made = convs.map((s): LayerTables => {
      const g = geometry(convInfo(s, n))!;
      if (s.winograd) {
        const cp = ceilDiv(s.c, 4) * 4;
        const tb = blockTiles(s, n);
        const ntiles = ceilDiv(tb, mr);
        const ind = heap.alloc(ntiles * mr);
        k.rows_ind(ind, tb, ntiles, cp * 4);
        return { g, ind, ntiles, tb };
      }
      const ntiles = ceilDiv(n * s.oh * s.ow, mr);
      const ind = heap.alloc(ntiles * g.nruns * mr);
      k.conv_ind(ind, n, s.oh, s.ow, s.strides[0], s.strides[1], g.hp, g.wp, s.c, g.nruns, g.wp * s.c * 4, ntiles);
      return { g, ind, ntiles, tb: 0 };
    });
    tables.set(n, made);
    return made;
  };

  return {
    inputShape,
    outputSize,
    get sparseCalls() {
      return sparseCalls;
    },
    predict(data: Float32Array, batch: number): Float32Array {
      if (disposed) throw new Error('forward plan used after dispose()');
      if (!Number.isInteger(batch) || batch < 1 || data.length < batch * perExample)
        throw new RangeError(`forward plan: ${data.length} input floats for a batch of ${batch} x ${perExample}`);
      reserve(batch);
      const t = tablesFor(batch);
      heapF32(kernels).set(data.subarray(0, batch * perExample), input / 4);
      let x = input;
      let sparse = false;
      const s0 = convs[0]!;
      if (s0.raw !== 0) {
        const b0 = buffers[0]!;
        const npix = batch * s0.h * s0.w;
        k.sparse_rows(input, npix, s0.c, s0.co, b0.ent, b0.start);
        const nonZeros = new Int32Array(heapF32(kernels).buffer, b0.start + npix * 4, 1)[0]!;
        sparse = nonZeros <= SPARSE_INPUT_SHARE * batch * perExample;
        if (sparse) sparseCalls++;
      }
      for (let i = 0; i < convs.length; i++) {
        const s = convs[i]!;
        const l = t[i]!;
        const b = buffers[i]!;
        const pad = l.g.conv.padInfo;
        if (i === 0 && sparse) {
          // prettier-ignore
          k.sparse_conv(b.start, b.ent, batch, s.h, s.w, s.c, s.raw, s.co, b.out, s.oh, s.ow, s.fh, s.fw, pad.top,
            pad.left, s.bias, s.flags);
        } else if (s.winograd) {
          const cp = ceilDiv(s.c, 4) * 4;
          const hp = s.th * 4 + 2;
          const wp = s.tw * 4 + 2;
          k.pad_copy_c(x, batch, s.h, s.w, s.c, b.xp, hp, wp, cp, pad.top, pad.left);
          // prettier-ignore
          k.wino_conv(b.xp, batch, hp, wp, cp, s.th, s.tw, s.packed, s.co, s.oh, s.ow, b.out, s.bias, s.flags, b.v, b.m,
            l.ind, l.tb, ctx, tmp);
        } else {
          const g = l.g;
          let a = x;
          if (g.padded) {
            k.pad_copy(x, batch, s.h, s.w, s.c, b.xp, g.hp, g.wp, pad.top, pad.left);
            a = b.xp;
          }
          const m = batch * s.oh * s.ow;
          k.gemm_ind(l.ind, a, g.nruns, g.runLen, l.ntiles, s.packed, s.co, b.out, s.co * 4, m, s.bias, s.flags, ctx);
        }
        x = b.out;
      }
      const out = heapF32(kernels).slice(x / 4, x / 4 + batch * outputSize);
      for (const step of tail) step.run(out, batch, outputSize);
      return out;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      heap.free();
      tables.clear();
    },
  };
}

function convStep(
  kernels: CoreKernels,
  heap: Heap,
  layer: tf.layers.Layer,
  config: Record<string, unknown>,
  h: number,
  w: number,
  c: number,
  first: boolean,
): ConvStep {
  const name = layer.name;
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast')
    throw new ForwardPlanUnsupported(`layer '${name}': data format ${String(config['dataFormat'])}`);
  const dilation = pair(config['dilationRate'] ?? 1, 'dilation', name);
  if (dilation[0] !== 1 || dilation[1] !== 1)
    throw new ForwardPlanUnsupported(`layer '${name}': dilation ${dilation.join('x')}`);
  const pad = config['padding'];
  if (pad !== 'same' && pad !== 'valid') throw new ForwardPlanUnsupported(`layer '${name}': padding ${String(pad)}`);
  const activation = config['activation'] ?? 'linear';
  const flags = typeof activation === 'string' ? activationFlags(activation) : null;
  if (flags === null) throw new ForwardPlanUnsupported(`layer '${name}': activation ${JSON.stringify(activation)}`);
  const weights = layer.getWeights();
  const kernel = weights[0];
  if (!kernel || kernel.rank !== 4 || kernel.dtype !== 'float32')
    throw new ForwardPlanUnsupported(`layer '${name}': no float32 [fh, fw, ci, co] kernel`);
  const [fh, fw, ci, co] = kernel.shape as [number, number, number, number];
  if (ci !== c) throw new ForwardPlanUnsupported(`layer '${name}': kernel takes ${ci} channels, its input has ${c}`);
  const useBias = config['useBias'] !== false;
  const biasT = useBias ? weights[1] : undefined;
  if (useBias && (!biasT || biasT.size !== co))
    throw new ForwardPlanUnsupported(`layer '${name}': bias of ${biasT?.size ?? 0} floats for ${co} filters`);
  const strides = pair(config['strides'] ?? 1, 'strides', name);
  const step: ConvStep = {
    kind: 'conv',
    name,
    h,
    w,
    c,
    fh,
    fw,
    co,
    strides,
    pad,
    flags,
    winograd: false,
    packed: 0,
    bias: 0,
    oh: 0,
    ow: 0,
    th: 0,
    tw: 0,
    padTop: 0,
    padBottom: 0,
    padLeft: 0,
    padRight: 0,
    raw: 0,
  };
  const g = geometry(convInfo(step, 1));
  if (!g) throw new ForwardPlanUnsupported(`layer '${name}': a geometry core's kernels do not take`);
  step.oh = g.conv.outHeight;
  step.ow = g.conv.outWidth;
  step.winograd = useWinograd(g);
  step.th = ceilDiv(step.oh, 4);
  step.tw = ceilDiv(step.ow, 4);
  ({ top: step.padTop, bottom: step.padBottom, left: step.padLeft, right: step.padRight } = g.conv.padInfo);
  const { k, nr } = kernels;
  const np = ceilDiv(co, nr);
  const wData = kernel.dataSync() as Float32Array;
  if (biasT) {
    step.bias = heap.alloc(np * nr);
    const heap32 = heapF32(kernels);
    heap32.fill(0, step.bias / 4, step.bias / 4 + np * nr);
    heap32.set(biasT.dataSync(), step.bias / 4);
  }
  const raw = heap.alloc(wData.length);
  heapF32(kernels).set(wData, raw / 4);
  if (step.winograd) {
    const cp = ceilDiv(ci, 4) * 4;
    step.packed = heap.alloc(36 * np * cp * nr);
    heapF32(kernels).fill(0, step.packed / 4, step.packed / 4 + 36 * np * cp * nr);
    const tmp = heap.alloc(36 * 4);
    k.wino_filter(raw, ci, co, cp, step.packed, tmp);
    heap.release(tmp);
  } else {
    const kk = fh * fw * ci;
    step.packed = heap.alloc(np * kk * nr);
    k.pack_b(raw, kk, co, co, 1, step.packed, kk * nr * 4);
  }
  // The model's input may be sparse; later layers' inputs (after relu) are not sparse enough to pay.
  if (first && strides[0] === 1 && strides[1] === 1 && co % 16 === 0) step.raw = raw;
  else heap.release(raw);
  return step;
}
