// Rebuilding a trained functional model for looking inside it: batch norms folded into the convolutions
// before them, a new input size, and only the layers the chosen outputs need.
//
// Why: tf.grad through an inference-mode BatchNormalization without a scale (Keras' InceptionV3) fails on
// wasm, and a folded model is also cheaper to run. Deep Dream's octaves need other input sizes than the
// one the model was saved with, and a classifier head (Flatten, Dense) cannot take them: it is cut off.
import * as tf from '@tensorflow/tfjs';

export interface RebuildOptions {
  /** New input shape without the batch dimension; null for a free size, e.g. [null, null, 3]. */
  inputShape?: (number | null)[];
  /** Layers whose outputs the rebuilt model returns (default: the model's own outputs). */
  outputs?: string[];
  /** Fold each BatchNormalization that directly follows a Conv2D into it (default true). */
  foldBatchNorm?: boolean;
}

type InboundNode = Array<[string, number, number, Record<string, unknown>?]>;
interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: InboundNode[];
}
interface ModelJson {
  class_name: string;
  config: {
    name: string;
    layers: LayerJson[];
    input_layers: unknown[];
    output_layers: Array<[string, number, number]>;
  };
}

const inboundNames = (l: LayerJson) => l.inbound_nodes.flatMap((node) => node.map((edge) => edge[0]));

/** BatchNormalization layer name -> the Conv2D it folds into. */
function foldable(layers: LayerJson[]): Map<string, string> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = new Map<string, number>();
  for (const l of layers) for (const n of inboundNames(l)) consumers.set(n, (consumers.get(n) ?? 0) + 1);
  const folds = new Map<string, string>();
  for (const l of layers) {
    if (l.class_name !== 'BatchNormalization' || l.inbound_nodes.length !== 1) continue;
    const axis = l.config.axis;
    if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3))))
      continue;
    const src = inboundNames(l);
    const conv = src.length === 1 ? byName.get(src[0]!) : undefined;
    if (!conv || conv.class_name !== 'Conv2D' || conv.inbound_nodes.length !== 1 || consumers.get(conv.name) !== 1)
      continue;
    if (conv.config.data_format !== undefined && conv.config.data_format !== 'channels_last') continue;
    folds.set(l.name, conv.name);
  }
  return folds;
}

/** The layers the outputs depend on (the graph is walked backwards from them). */
function ancestors(layers: LayerJson[], outputs: string[]): Set<string> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const keep = new Set<string>();
  const todo = [...outputs];
  while (todo.length) {
    const name = todo.pop()!;
    if (keep.has(name)) continue;
    const layer = byName.get(name);
    if (!layer) throw new RangeError(`no layer '${name}' in the model`);
    keep.add(name);
    todo.push(...inboundNames(layer));
  }
  return keep;
}

function weightNamed(layer: tf.layers.Layer, suffix: string): Float32Array | undefined {
  const i = layer.weights.findIndex((w) => w.originalName.endsWith(`/${suffix}`) || w.name.endsWith(`/${suffix}`));
  return i < 0 ? undefined : (layer.getWeights()[i]!.dataSync() as Float32Array);
}

/** Conv kernel and bias with the batch norm after it folded in: W' = W s, b' = (b - mean) s + beta, s = gamma / sqrt(var + eps). */
function foldedWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): tf.Tensor[] {
  const [kernel, bias] = conv.getWeights();
  const out = kernel!.shape[3]!;
  const mean = weightNamed(bn, 'moving_mean')!;
  const variance = weightNamed(bn, 'moving_variance')!;
  const gamma = weightNamed(bn, 'gamma') ?? new Float32Array(out).fill(1);
  const beta = weightNamed(bn, 'beta') ?? new Float32Array(out);
  const eps = (bn.getConfig().epsilon as number | undefined) ?? 1e-3;
  const scale = new Float32Array(out);
  const b = new Float32Array(out);
  const b0 = bias ? (bias.dataSync() as Float32Array) : new Float32Array(out);
  for (let o = 0; o < out; o++) {
    scale[o] = gamma[o]! / Math.sqrt(variance[o]! + eps);
    b[o] = (b0[o]! - mean[o]!) * scale[o]! + beta[o]!;
  }
  return tf.tidy(() => [tf.mul(kernel!, tf.tensor1d(scale)), tf.tensor1d(b)]);
}

/** A new model with the same weights (folded where asked), another input size and/or fewer outputs. */
export async function rebuildForInference(model: tf.LayersModel, opts: RebuildOptions = {}): Promise<tf.LayersModel> {
  const topo = model.toJSON(null, false) as unknown as ModelJson;
  if (topo.class_name === 'Sequential')
    throw new Error('rebuildForInference: functional models only (tf.model), not tf.sequential');
  let layers = topo.config.layers;
  if (opts.outputs) {
    const keep = ancestors(layers, opts.outputs);
    layers = layers.filter((l) => keep.has(l.name));
    topo.config.output_layers = opts.outputs.map((n) => [n, 0, 0]);
  }
  const folds = opts.foldBatchNorm === false ? new Map<string, string>() : foldable(layers);
  const rename = (n: string) => folds.get(n) ?? n;
  layers = layers
    .filter((l) => !folds.has(l.name))
    .map((l) => ({
      ...l,
      config: [...folds.values()].includes(l.name) ? { ...l.config, use_bias: true } : l.config,
      inbound_nodes: l.inbound_nodes.map((node) =>
        node.map((e) => [rename(e[0]), e[1], e[2], e[3] ?? {}] as InboundNode[number]),
      ),
    }));
  if (opts.inputShape) {
    for (const l of layers)
      if (l.class_name === 'InputLayer') l.config = { ...l.config, batch_input_shape: [null, ...opts.inputShape] };
  }
  topo.config.layers = layers;
  topo.config.output_layers = topo.config.output_layers.map(([n, a, b]) => [rename(n), a, b]);

  const rebuilt = await tf.models.modelFromJSON({
    modelTopology: topo as unknown as tf.io.ModelJSON['modelTopology'],
  } as tf.io.ModelJSON);
  const convToBn = new Map([...folds].map(([bn, conv]) => [conv, bn]));
  for (const layer of rebuilt.layers) {
    if (layer.weights.length === 0) continue;
    const old = model.getLayer(layer.name);
    const bn = convToBn.get(layer.name);
    const weights = bn ? foldedWeights(old, model.getLayer(bn)) : old.getWeights();
    layer.setWeights(weights);
    if (bn) tf.dispose(weights);
  }
  return rebuilt;
}
