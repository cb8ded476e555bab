import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../src/cli/errors.js';
import {
  isShippedModelDir,
  loadModel,
  loadModelFolder,
  metadataFields,
  modelFiles,
  modelGroupMembers,
  removeModelGroup,
  resolveModelDir,
  resolveOutDir,
  runTimestamp,
  saveModel,
  saveModelGroup,
} from '../src/io/index.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const GO_APP = join(REPO, 'apps', 'go-policy');
let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-lab-folder-'));
  env = { CNN_LAB_RUNS: join(root, 'runs'), INIT_CWD: root };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function tinyNet(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [3],
        units: 2,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    ],
  });
}

describe('resolveModelDir', () => {
  it('reads the shipped model by default and the flag (from where the command was typed) when given', () => {
    const shipped = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'read', env });
    expect(shipped).toEqual({
      dir: join(GO_APP, 'models', 'default'),
      shipped: true,
      named: false,
      flag: '--model-dir',
    });
    const named = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'read', flag: 'mine', env });
    expect(named).toMatchObject({ dir: join(root, 'mine'), shipped: false, named: true });
  });

  it('writes a new timestamped run folder by default, under CNN_LAB_RUNS or the repository runs/ folder', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const target = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'write', env, now });
    expect(target).toEqual({
      dir: join(root, 'runs', 'go-policy', '2026-01-02T03-04-05'),
      shipped: false,
      named: false,
      flag: '--model-dir',
    });
    const inRepo = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'write', env: {}, now });
    expect(inRepo.dir).toBe(join(REPO, 'runs', 'go-policy', '2026-01-02T03-04-05'));
    expect(resolveModelDir({ app: 'x', appDir: GO_APP, mode: 'write', env, runName: 'small' }).dir).toBe(
      join(root, 'runs', 'x', 'small'),
    );
  });

  it('never reuses a run folder that exists, and --resume picks the newest one with checkpoints', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const first = join(root, 'runs', 'resume-app', runTimestamp(now));
    await mkdir(join(first, 'checkpoints'), { recursive: true });
    expect(resolveModelDir({ app: 'resume-app', appDir: GO_APP, mode: 'write', env, now }).dir).toBe(`${first}-2`);
    await mkdir(join(root, 'runs', 'resume-app', '2026-01-03T00-00-00'));
    expect(resolveModelDir({ app: 'resume-app', appDir: GO_APP, mode: 'write', env, resume: true }).dir).toBe(first);
    expect(() => resolveModelDir({ app: 'nothing-yet', appDir: GO_APP, mode: 'write', env, resume: true })).toThrow(
      UsageError,
    );
  });

  it('refuses to write over a shipped model unless the user names it', () => {
    const shippedDir = join(GO_APP, 'models', 'default');
    expect(isShippedModelDir(shippedDir)).toBe(true);
    expect(isShippedModelDir(join(REPO, 'apps', 'speech-cnn', 'models', 'default', 'member-1'))).toBe(true);
    expect(isShippedModelDir(join(REPO, 'runs', 'go-policy', 'x'))).toBe(false);
    // A runs folder set to a shipped one is still refused.
    expect(() =>
      resolveModelDir({ app: 'default', appDir: GO_APP, mode: 'write', env: { CNN_LAB_RUNS: join(GO_APP, 'models') } }),
    ).toThrow(/refusing to write over the shipped model/);
    const named = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'write', flag: shippedDir, env });
    expect(named).toMatchObject({ dir: shippedDir, shipped: true, named: true });
  });

  it('refuses a default write into the repository outside runs/', () => {
    expect(() =>
      resolveModelDir({
        app: 'go-policy',
        appDir: GO_APP,
        mode: 'write',
        env: { CNN_LAB_RUNS: join(REPO, 'apps') },
        runName: 'x',
      }),
    ).toThrow(/refusing to write into the repository/);
  });
});

describe('resolveOutDir', () => {
  it('uses --out, else beside a model that is not shipped, else a new runs/<app>/<verb>-<timestamp>', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const mine = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'read', flag: 'mine', env });
    const shipped = resolveModelDir({ app: 'go-policy', appDir: GO_APP, mode: 'read', env });
    expect(resolveOutDir({ app: 'go-policy', verb: 'eval', out: 'pics', model: shipped, env }).dir).toBe(
      join(root, 'pics'),
    );
    expect(resolveOutDir({ app: 'go-policy', verb: 'eval', model: mine, env }).dir).toBe(join(root, 'mine'));
    expect(resolveOutDir({ app: 'go-policy', verb: 'eval', model: shipped, env, now }).dir).toBe(
      join(root, 'runs', 'go-policy', 'eval-2026-01-02T03-04-05'),
    );
  });
});

describe('loadModelFolder', () => {
  const validate = (raw: Record<string, unknown>, path: string) => {
    const f = metadataFields(raw, path);
    return { labels: f.strings('labels'), size: f.int('size', 1), kind: f.choice('kind', ['a', 'b'] as const) };
  };

  it('returns the typed metadata and refuses a bad field by file and name', async () => {
    const dir = join(root, 'typed');
    await saveModel(tinyNet(1), dir, { app: 'demo', labels: ['x', 'y'], size: 3, kind: 'a' });
    const folder = await loadModelFolder(dir, { app: 'demo', validate });
    expect(folder.metadata).toEqual({ labels: ['x', 'y'], size: 3, kind: 'a' });
    expect(folder.metadataPath).toBe(join(dir, 'model.json'));
    folder.model.dispose();

    await saveModel(tinyNet(1), dir, { app: 'demo', labels: ['x', 'y'], size: 0, kind: 'a' });
    const err = await loadModelFolder(dir, { app: 'demo', validate }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `${join(dir, 'model.json')}: field "size" is 0; expected an integer in 1..${Number.MAX_SAFE_INTEGER}`,
    );
    await expect(loadModelFolder(dir, { app: 'other', validate })).rejects.toThrow(
      `is a model of "demo", not of other`,
    );
  });

  it('says which flag named a folder without a model', async () => {
    const target = resolveModelDir({ app: 'demo', appDir: GO_APP, mode: 'read', flag: 'empty', env });
    await expect(loadModelFolder(target, { app: 'demo', validate })).rejects.toThrow(
      `--model-dir: no model in ${join(root, 'empty')}`,
    );
  });

  // go-policy's needs the app's PerPointBias layer: its own tests load it.
  it('loads shipped models saved before model.json held the metadata', async () => {
    for (const dir of ['apps/cnn-explorer/models/mnist', 'apps/text-cnn/models/rand-4k']) {
      const { model, metadata, metadataPath } = await loadModel(join(REPO, dir));
      expect(metadataPath).toBe(join(REPO, dir, 'metadata.json'));
      expect(typeof metadata.app).toBe('string');
      model.dispose();
    }
  });
});

describe('attached files', () => {
  it('are committed with the model, found by logical name, and checked against their hash', async () => {
    const dir = join(root, 'attached');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'vocab.json'), '["old"]'); // a plain copy from an older save: removed as stale
    await saveModel(tinyNet(2), dir, { app: 'demo' }, { files: { 'vocab.json': '["a","b"]' } });
    const { files } = await loadModel(dir);
    expect(Object.keys(files)).toEqual(['vocab.json']);
    expect(files['vocab.json']).toMatch(/vocab-[0-9a-f]{16}\.json$/);
    expect(await readFile(files['vocab.json'] as string, 'utf8')).toBe('["a","b"]');
    expect((await readdir(dir)).includes('vocab.json')).toBe(false);
    const listed = await modelFiles(dir);
    expect([...listed].sort()).toEqual((await readdir(dir)).sort());
    expect(listed[listed.length - 1]).toBe('model.json');
    await writeFile(files['vocab.json'] as string, '["a"]');
    await expect(loadModel(dir)).rejects.toThrow(/vocab-[0-9a-f]{16}\.json: does not match model.json/);
  });
});

describe('model groups', () => {
  it('replace a single model and an older group, and back', async () => {
    const dir = join(root, 'group');
    await saveModel(tinyNet(3), dir, { app: 'demo', tag: 'single' });
    const names = await saveModelGroup(
      dir,
      [
        { model: tinyNet(4), metadata: { tag: 'm1' } },
        { model: tinyNet(5), metadata: { tag: 'm2' } },
      ],
      {
        manifest: 'ensemble.json',
        fields: { app: 'demo' },
      },
    );
    expect(names).toHaveLength(2);
    expect((await readdir(dir)).sort()).toEqual(['ensemble.json', ...names].sort());
    const members = (await modelGroupMembers(dir, { manifest: 'ensemble.json' })) ?? [];
    expect(await Promise.all(members.map(async (m) => (await loadModel(m)).metadata.tag))).toEqual(['m1', 'm2']);

    const again = await saveModelGroup(
      dir,
      [
        { model: tinyNet(6), metadata: { tag: 'n1' } },
        { model: tinyNet(7), metadata: { tag: 'n2' } },
      ],
      {
        manifest: 'ensemble.json',
      },
    );
    expect((await readdir(dir)).sort()).toEqual(['ensemble.json', ...again].sort());

    await saveModel(tinyNet(8), dir, { app: 'demo', tag: 'single again' });
    await removeModelGroup(dir, { manifest: 'ensemble.json' });
    expect(await modelGroupMembers(dir, { manifest: 'ensemble.json' })).toBeNull();
    expect((await loadModel(dir)).metadata.tag).toBe('single again');
  });

  it('read the member-<k> folders of older saves, and refuse a member list that leaves the folder', async () => {
    // An older save: plain member-<k> folders, listed by name in the manifest.
    const old = join(root, 'oldgroup');
    for (const k of [1, 2]) await saveModel(tinyNet(k + 1), join(old, `member-${k}`), { app: 'demo' });
    await writeFile(join(old, 'ensemble.json'), JSON.stringify({ app: 'demo', members: ['member-1', 'member-2'] }));
    expect(await modelGroupMembers(old, { manifest: 'ensemble.json' })).toEqual(
      [1, 2].map((k) => join(old, `member-${k}`)),
    );
    const dir = join(root, 'badgroup');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'ensemble.json'), JSON.stringify({ members: ['../member-1'] }));
    await expect(modelGroupMembers(dir, { manifest: 'ensemble.json' })).rejects.toThrow(DataError);
  });
});
