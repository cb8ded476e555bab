// Seeded, time-bounded fuzzing of model folders: model.json (topology, manifest, the cnnLab key), metadata.json,
// the weights and attached files, damaged one way or several. loadModelFolder answers a model or a DataError
// naming a file, within a bounded time, never another exception. (Layer sizes in the topology stay small here:
// tfjs allocates a layer's weights while it builds the topology, before they can be checked against the manifest.)
// Checkpoint files (what --resume reads) get the same treatment: their bytes cut, flipped or given another header.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/cli/errors.js';
import {
  loadModelFolder,
  loadTensorsInfo,
  loadWeights,
  metadataFields,
  saveModel,
  saveWeights,
} from '../src/io/index.js';

const SEED = 20261204;
const runs = { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: 3000 };
const PER_INPUT_MS = 2000;

let root: string;
let template: string;
let counter = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-lab-fuzz-folder-'));
  template = join(root, 'template');
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  await saveModel(
    model,
    template,
    { app: 'fuzz', version: '1', labels: ['a', 'b'] },
    { files: { 'vocab.json': '["a"]' } },
  );
  model.dispose();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Json = unknown;

/** Sets `value` at a path of keys/indices inside `json` (creating nothing: a path that is not there is left). */
function setAt(json: Json, path: number[], value: Json, remove: boolean): Json {
  if (path.length === 0 || typeof json !== 'object' || json === null) return remove ? undefined : value;
  const keys = Object.keys(json);
  if (keys.length === 0) return json;
  const key = keys[(path[0] as number) % keys.length] as string;
  const obj = json as Record<string, Json>;
  const next = setAt(obj[key], path.slice(1), value, remove);
  if (next === undefined) {
    if (Array.isArray(obj)) obj.splice(Number(key), 1);
    else delete obj[key];
  } else obj[key] = next;
  return json;
}

/** Small JSON values: what a hand edit or a damaged write might leave, with small numbers only (see above). */
const value = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1,
    2,
    3.5,
    '',
    'x',
    '../../etc/passwd',
    '/abs',
    'float32',
    'int32',
    'layers-model',
  ),
  fc.array(fc.integer({ min: -2, max: 8 }), { maxLength: 4 }),
  fc.dictionary(
    fc.constantFrom('paths', 'weights', 'name', 'shape', 'dtype', 'files', 'metadata'),
    fc.jsonValue({ maxDepth: 1 }),
  ),
);

const damage = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    file: fc.constantFrom('model.json', 'metadata.json'),
    edits: fc.array(fc.tuple(fc.array(fc.nat(40), { maxLength: 6 }), value, fc.boolean()), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({
    kind: fc.constant('replace' as const),
    file: fc.constantFrom('model.json', 'metadata.json'),
    text: fc.string({ maxLength: 200 }),
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    which: fc.constantFrom('weights', 'vocab'),
    cut: fc.nat(200),
    extra: fc.uint8Array({ maxLength: 16 }),
  }),
);

type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

async function damaged(d: Damage): Promise<string> {
  const dir = join(root, `case-${counter++}`);
  await cp(template, dir, { recursive: true });
  if (d.kind === 'edit') {
    const path = join(dir, d.file);
    let json = JSON.parse(await readFile(path, 'utf8')) as Json;
    for (const [at, v, remove] of d.edits) json = setAt(json, at, v, remove) ?? {};
    await writeFile(path, JSON.stringify(json));
  } else if (d.kind === 'replace') {
    await writeFile(join(dir, d.file), d.text);
  } else {
    const names = await readdir(dir);
    const name = names.find((n) => (d.which === 'weights' ? n.startsWith('weights') : n.startsWith('vocab'))) as string;
    const bytes = await readFile(join(dir, name));
    const cut = bytes.subarray(0, Math.min(bytes.length, d.cut));
    await writeFile(join(dir, name), Buffer.concat([cut, d.extra]));
  }
  return dir;
}

describe('fuzz: model folders', () => {
  it('a damaged folder loads as a model or is a DataError naming a file, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const dir = await damaged(d);
        const t0 = performance.now();
        try {
          const folder = await loadModelFolder(dir, {
            app: 'fuzz',
            validate: (raw, path) => ({ labels: metadataFields(raw, path).strings('labels', 1) }),
          });
          expect(folder.model.outputs[0]?.shape).toEqual([null, 2]);
          folder.model.dispose();
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          expect(err.message, err.message).toContain(dir);
        } finally {
          expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
          await rm(dir, { recursive: true, force: true });
        }
      }),
      runs,
    );
  });

  it('a manifest whose weights have no file to come from names model.json (found by the fuzz test)', async () => {
    const dir = await damaged({ kind: 'bytes', which: 'vocab', cut: 1000, extra: new Uint8Array(0) }); // an intact copy
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    json.weightsManifest[0]!.paths = [];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModelFolder(dir, { app: 'fuzz', validate: () => ({}) })).rejects.toThrow(
      `${join(dir, 'model.json')}: weightsManifest lists 4 weights needing 92 bytes but no file to read them from`,
    );
  });
});

/** Damage to a checkpoint file: a cut, flipped bytes, another header length, or other header JSON. */
const ckptDamage = fc.record({
  cut: fc.option(fc.nat(400), { nil: undefined }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  headerLength: fc.option(fc.oneof(fc.nat(400), fc.constant(0xffffffff)), { nil: undefined }),
  header: fc.option(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }),
      fc
        .record({ specs: fc.array(fc.dictionary(fc.constantFrom('name', 'shape', 'dtype'), value), { maxLength: 4 }) })
        .map((v) => JSON.stringify(v)),
    ),
    { nil: undefined },
  ),
});

describe('fuzz: checkpoint files', () => {
  it('a damaged checkpoint loads or is a DataError naming it, and so is reading its training state', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const intact = join(root, 'intact.ckpt');
    await saveWeights(model, intact, { info: { training: { version: 1, epoch: 2 } } });
    const good = new Uint8Array(await readFile(intact));
    await fc.assert(
      fc.asyncProperty(ckptDamage, async (d) => {
        let bytes = good.slice();
        if (d.header !== undefined) {
          const header = new TextEncoder().encode(d.header);
          const oldLength = new DataView(good.buffer).getUint32(8, true);
          const out = new Uint8Array(12 + header.length + good.length - 12 - oldLength);
          out.set(good.subarray(0, 12));
          new DataView(out.buffer).setUint32(8, header.length, true);
          out.set(header, 12);
          out.set(good.subarray(12 + oldLength), 12 + header.length);
          bytes = out;
        }
        if (d.headerLength !== undefined && bytes.length >= 12)
          new DataView(bytes.buffer).setUint32(8, d.headerLength, true);
        for (const [at, v] of d.flips) if (bytes.length > 0) bytes[at % bytes.length] = v;
        if (d.cut !== undefined) bytes = bytes.subarray(0, Math.min(bytes.length, d.cut));
        const path = join(root, `damaged-${counter++}.ckpt`);
        await writeFile(path, bytes);
        const t0 = performance.now();
        for (const read of [() => loadWeights(model, path), () => loadTensorsInfo(path)]) {
          try {
            await read();
          } catch (err) {
            if (!(err instanceof DataError)) throw err;
            expect(err.message).toContain(path);
          }
        }
        expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
        await rm(path, { force: true });
      }),
      runs,
    );
    model.dispose();
  });
});
