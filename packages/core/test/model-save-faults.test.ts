// A save killed at every step: each write (also torn half-way), each rename, each fsync, each removal. Whatever
// step the kill lands on, the folder must load as the old model or the new one, never neither, and the next
// save must clean up and succeed.
import { cp, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileOps, type FileOps } from '../src/io/atomic.js';
import {
  loadModel,
  modelGroupMembers,
  saveModel,
  saveModelGroup,
  saveWeights,
  loadWeights,
  type LoadedModel,
} from '../src/io/index.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-lab-faults-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

class Killed extends Error {}

/**
 * The real file system until step `killAt`, where the process "dies": that step fails (a write leaves half its
 * bytes, as a kill during write does) and so does every step after it, so no clean-up code runs either.
 */
function killingOps(killAt: number): FileOps & { steps: string[] } {
  const steps: string[] = [];
  const step = (what: string): boolean => {
    steps.push(what);
    return steps.length - 1 >= killAt;
  };
  return {
    steps,
    async writeFile(path, data) {
      if (step(`write ${path}`)) {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        const handle = await open(path, 'w');
        await handle.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
        await handle.close();
        throw new Killed();
      }
      return nodeFileOps.writeFile(path, data);
    },
    async rename(from, to) {
      if (step(`rename ${to}`)) throw new Killed();
      return nodeFileOps.rename(from, to);
    },
    async syncDir(dir) {
      if (step(`sync ${dir}`)) throw new Killed();
      return nodeFileOps.syncDir(dir);
    },
    async remove(path) {
      if (step(`remove ${path}`)) throw new Killed();
      return nodeFileOps.remove(path);
    },
    async mkdir(dir) {
      if (step(`mkdir ${dir}`)) throw new Killed();
      return nodeFileOps.mkdir(dir);
    },
  };
}

function tinyNet(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    ],
  });
}

async function outputs(model: tf.LayersModel): Promise<number[]> {
  return tf
    .tidy(() => model.predict(tf.ones([1, 4])) as tf.Tensor)
    .array()
    .then((a) => (a as number[][])[0] as number[]);
}

/** Which model a loaded folder holds: 'old' or 'new' by its metadata, checked against the weights it loaded. */
async function which(loaded: LoadedModel, expected: Record<string, number[] | null>): Promise<string> {
  const tag = String(loaded.metadata?.tag ?? loaded.metadata?.app);
  const want = expected[tag];
  expect(want, `unexpected model tag ${tag}`).toBeDefined();
  if (want) expect(await outputs(loaded.model)).toEqual(want);
  loaded.model.dispose();
  return tag;
}

/** Runs `save` killed at step 0, 1, 2, ... until it gets through; after each kill the folder must load as old or new. */
async function killEverywhere(
  prepare: (dir: string) => Promise<void>,
  save: (dir: string, ops: FileOps) => Promise<unknown>,
  check: (dir: string) => Promise<string>,
): Promise<{ steps: string[]; seen: string[] }> {
  const seen: string[] = [];
  for (let killAt = 0; ; killAt++) {
    const dir = join(root, `kill-${Math.random().toString(36).slice(2)}`);
    await prepare(dir);
    const ops = killingOps(killAt);
    const finished = await save(dir, ops).then(
      () => true,
      (err: unknown) => {
        if (!(err instanceof Killed)) throw err;
        return false;
      },
    );
    seen.push(await check(dir));
    if (finished) {
      // Nothing more to kill: the folder holds the new model, and saving again over a killed save's leftovers works.
      expect(seen[seen.length - 1]).toBe('new');
      return { steps: ops.steps, seen };
    }
    await save(dir, nodeFileOps);
    expect(await check(dir)).toBe('new');
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.filter((n) => /^weights/.test(n))).toHaveLength(names.includes('model.json') ? 1 : 0);
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a save killed at every step', () => {
  it('leaves the old model or the new one (a folder saved by saveModel)', async () => {
    const oldModel = tinyNet(1);
    const newModel = tinyNet(2);
    const expected = { old: await outputs(oldModel), new: await outputs(newModel) };
    const { steps, seen } = await killEverywhere(
      (dir) => saveModel(oldModel, dir, { tag: 'old' }, { files: { 'vocab.json': '["old"]' } }).then(() => undefined),
      (dir, ops) => saveModel(newModel, dir, { tag: 'new' }, { ops, files: { 'vocab.json': '["new"]' } }),
      async (dir) => {
        const loaded = await loadModel(dir);
        const tag = await which(loaded, expected);
        const vocab = await import('node:fs/promises').then((fs) =>
          fs.readFile(loaded.files['vocab.json'] as string, 'utf8'),
        );
        expect(vocab).toBe(`["${tag}"]`);
        return tag;
      },
    );
    // Writes, renames, fsyncs and removals were all among the steps killed.
    for (const kind of ['write', 'rename', 'sync', 'remove']) expect(steps.some((s) => s.startsWith(kind))).toBe(true);
    expect(seen[0]).toBe('old');
    expect(seen).toContain('new');
    // Once the new model shows, it stays.
    expect(seen.slice(seen.indexOf('new')).every((s) => s === 'new')).toBe(true);
  });

  it('leaves the old model or the new one (a shipped-style folder: weights.bin and metadata.json)', async () => {
    const shipped = join(REPO, 'apps', 'cnn-explorer', 'models', 'mnist');
    const newModel = tinyNet(3);
    const expected = { 'cnn-explorer': null, new: await outputs(newModel) };
    const { seen } = await killEverywhere(
      (dir) => cp(shipped, dir, { recursive: true }),
      (dir, ops) => saveModel(newModel, dir, { tag: 'new' }, { ops }),
      async (dir) => {
        const tag = await which(await loadModel(dir), expected);
        return tag === 'cnn-explorer' ? 'old' : tag;
      },
    );
    expect(seen[0]).toBe('old');
    expect(seen).toContain('new');
  });

  it('leaves the old group or the new one (an ensemble folder)', async () => {
    const members = (seed: number, tag: string) => [1, 2].map((k) => ({ model: tinyNet(seed + k), metadata: { tag } }));
    const oldMembers = members(10, 'old');
    const newMembers = members(20, 'new');
    const outs = async (ms: { model: tf.LayersModel }[]) => Promise.all(ms.map((m) => outputs(m.model)));
    const expected = { old: await outs(oldMembers), new: await outs(newMembers) };
    const { seen } = await killEverywhere(
      (dir) => saveModelGroup(dir, oldMembers, { manifest: 'ensemble.json' }).then(() => undefined),
      (dir, ops) => saveModelGroup(dir, newMembers, { manifest: 'ensemble.json', ops }),
      async (dir) => {
        const folders = (await modelGroupMembers(dir, { manifest: 'ensemble.json' })) ?? [];
        const loaded = await Promise.all(folders.map((f) => loadModel(f)));
        const tags = new Set(loaded.map((l) => String(l.metadata.tag)));
        expect(tags.size).toBe(1);
        const tag = [...tags][0] as 'old' | 'new';
        expect(await Promise.all(loaded.map((l) => outputs(l.model)))).toEqual(expected[tag]);
        for (const l of loaded) l.model.dispose();
        return tag;
      },
    );
    expect(seen[0]).toBe('old');
    expect(seen).toContain('new');
  });

  it('leaves the old checkpoint or the new one (one file, renamed in)', async () => {
    const oldModel = tinyNet(30);
    const newModel = tinyNet(31);
    const expected = { old: await outputs(oldModel), new: await outputs(newModel) };
    const { seen } = await killEverywhere(
      (dir) => saveWeights(oldModel, join(dir, 'checkpoint.ckpt'), { info: { tag: 'old' } }),
      (dir, ops) => saveWeights(newModel, join(dir, 'checkpoint.ckpt'), { info: { tag: 'new' }, ops }),
      async (dir) => {
        const probe = tinyNet(99);
        const tag = String((await loadWeights(probe, join(dir, 'checkpoint.ckpt'))).tag);
        expect(await outputs(probe)).toEqual(expected[tag as 'old' | 'new']);
        probe.dispose();
        return tag;
      },
    );
    expect(seen[0]).toBe('old');
    expect(seen).toContain('new');
  });
});
