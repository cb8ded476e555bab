// The model loader: the shipped model loads; metadata is checked field by field, and fields this version
// does not know (older training switches) are ignored.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, UsageError, initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_MODEL, loadPolicyModel, policyMetadata } from '../src/model/load.js';

const shippedMeta = JSON.parse(readFileSync(join(SHIPPED_MODEL, 'metadata.json'), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('policyMetadata', () => {
  it("reads the shipped model's fields and ignores ones it does not know", () => {
    const meta = policyMetadata({ ...shippedMeta, symmetries: 8, ladderTactics: true }, 'metadata.json');
    expect(meta).toEqual({ featureSet: 'alphago', planes: 48, filters: 32, layers: 5, splitSeed: 1 });
  });

  it('names the file and the field that is wrong', () => {
    expect(() => policyMetadata({ ...shippedMeta, featureSet: 'colours' }, 'm/model.json')).toThrow(
      /m\/model.json.*"featureSet" is "colours"; expected one of alphago, /,
    );
    expect(() => policyMetadata({ ...shippedMeta, planes: 12 }, 'm/model.json')).toThrow(
      /"planes" is 12, but feature set 'alphago' has 48/,
    );
    expect(() => policyMetadata({ ...shippedMeta, splitSeed: undefined }, 'm/model.json')).toThrow(
      /"splitSeed" is missing/,
    );
    expect(() => policyMetadata({}, 'm/model.json')).toThrow(DataError);
  });
});

describe('loadPolicyModel', () => {
  it('loads the shipped model by default', async () => {
    const { model, meta, dir } = await loadPolicyModel(undefined);
    expect(dir).toBe(SHIPPED_MODEL);
    expect(model.inputs[0]?.shape).toEqual([null, 19, 19, 48]);
    expect(meta.featureSet).toBe('alphago');
    model.dispose();
  });

  it('says --model-dir when the named folder holds no model', async () => {
    await expect(loadPolicyModel('/nonexistent/model')).rejects.toThrow(UsageError);
    await expect(loadPolicyModel('/nonexistent/model')).rejects.toThrow(
      /--model-dir: no model in \/nonexistent\/model \(expected model.json/,
    );
  });

  it("refuses another app's model by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'go-policy-load-'));
    for (const f of ['model.json', 'weights.bin']) copyFileSync(join(SHIPPED_MODEL, f), join(dir, f));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...shippedMeta, app: 'speech-cnn' }));
    await expect(loadPolicyModel(dir)).rejects.toThrow(/is a model of "speech-cnn", not of go-policy/);
  });

  it('refuses metadata that does not fit the network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'go-policy-load-'));
    for (const f of ['model.json', 'weights.bin']) copyFileSync(join(SHIPPED_MODEL, f), join(dir, f));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...shippedMeta, featureSet: 'stones', planes: 4 }));
    await expect(loadPolicyModel(dir)).rejects.toThrow(/reads 48 planes, but its metadata says 4/);
  });
});
