import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../cli/errors.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';

/** The backends cnn-lab knows, fastest first. */
export const BACKENDS = ['node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface InitBackendOptions {
  /** Force one backend (the --backend flag); otherwise env CNN_LAB_BACKEND, otherwise the fastest that loads. */
  backend?: string;
  /** Do not print the "backend: ..." line. */
  quiet?: boolean;
}

// tfjs names the tfjs-node backend 'tensorflow'; cnn-lab calls it 'node' everywhere a user sees it.
const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const loadFailures = new Map<BackendName, string>();
let active: { name: BackendName; promise: Promise<BackendName> } | undefined;

/**
 * Picks and starts the tfjs backend: tfjs-node when it loads, else wasm (with core's training kernels), else cpu.
 * `opts.backend` or env CNN_LAB_BACKEND forces one. Safe to call many times and in every worker thread; a second
 * call asking for the same (or no particular) backend returns at once.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendName> {
  const requested = parseChoice(opts.backend ?? process.env['CNN_LAB_BACKEND']);
  if (active && (requested === undefined || requested === active.name)) return active.promise;
  const promise = start(requested, opts.quiet ?? false);
  active = { name: requested ?? 'wasm', promise };
  try {
    const name = await promise;
    active = { name, promise };
    return name;
  } catch (err) {
    active = undefined;
    throw err;
  }
}

/** The backend initBackend started, or undefined before the first call. */
export async function currentBackend(): Promise<BackendName | undefined> {
  return active?.promise;
}

function parseChoice(raw: string | undefined): BackendName | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = raw.trim().toLowerCase();
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new UsageError(
    `unknown backend '${raw}': expected one of ${BACKENDS.join(', ')} (--backend or CNN_LAB_BACKEND)`,
  );
}

async function start(requested: BackendName | undefined, quiet: boolean): Promise<BackendName> {
  const order = requested ? [requested] : [...BACKENDS];
  for (const name of order) {
    if (await tryStart(name)) {
      if (!quiet) process.stderr.write(`backend: ${describe(name)}\n`);
      return name;
    }
  }
  const available: string[] = [];
  for (const name of BACKENDS) if (await load(name)) available.push(name);
  const why = requested ? loadFailures.get(requested) : undefined;
  throw new UsageError(
    `backend '${requested ?? order.join('|')}' is not available${why ? ` (${why})` : ''}; available here: ${available.join(', ') || 'none'}`,
  );
}

async function tryStart(name: BackendName): Promise<boolean> {
  if (!(await load(name))) return false;
  try {
    const ok = await tf.setBackend(TFJS_NAME[name]);
    if (ok) await tf.ready();
    if (!ok) loadFailures.set(name, 'it failed to initialise');
    return ok;
  } catch (err) {
    loadFailures.set(name, firstLine(err));
    return false;
  }
}

/** Imports the package that registers a backend; remembers why it failed. */
async function load(name: BackendName): Promise<boolean> {
  if (loadFailures.has(name)) return false;
  try {
    if (name === 'node') {
      // Optional dependency with a native addon: absent or unbuildable on many machines, which is fine.
      const addon = '@tensorflow/tfjs-node';
      await import(addon);
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      // The threaded build does not start under Node; data parallelism uses worker threads instead.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      registerWasmTrainingKernels();
    }
    return tf.findBackendFactory(TFJS_NAME[name]) !== null;
  } catch (err) {
    loadFailures.set(name, firstLine(err));
    return false;
  }
}

function describe(name: BackendName): string {
  if (name === 'node') return 'node (tfjs-node, native TensorFlow)';
  if (name === 'wasm') return 'wasm (XNNPACK SIMD, one thread per worker; core training kernels registered)';
  return 'cpu (pure JavaScript: slow, fine for tiny models only)';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.slice(0, 200) ?? text;
}
