// Gradient worker threads rebuild the model from its JSON, so every custom layer class in it must be registered in
// the worker's tfjs too. An app's layer module registers its class in the main thread when imported and names
// itself here; each worker imports the named modules before it rebuilds the model.
import * as tf from '@tensorflow/tfjs';

const modules = new Set<string>();

/**
 * Names a module (its `import.meta.url`) that gradient workers import before rebuilding a model: the module that
 * registers an app's custom layers. TypeScript modules work too (the worker registers tsx's loader for them).
 */
export function registerWorkerModule(url: string | URL): void {
  modules.add(String(url));
}

/** The modules registered so far, in registration order. */
export function workerModules(): string[] {
  return [...modules];
}

type LayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer> & { className: string };

/**
 * Registers a custom layer class for model.json loading in this thread and, through `moduleUrl` (the calling
 * module's `import.meta.url`, which must register the class when imported), in gradient workers:
 * `registerLayerClass(PerPointBias, import.meta.url)` at the bottom of the layer's module.
 */
export function registerLayerClass(cls: LayerClass, moduleUrl: string | URL): void {
  tf.serialization.registerClass(cls);
  registerWorkerModule(moduleUrl);
}
