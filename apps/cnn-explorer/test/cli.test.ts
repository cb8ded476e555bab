// The CLI as a user runs it (through tsx), on a model and images made here: --json ends with one JSON
// line, bad images get clear errors naming the file, bad flags name the flag.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRaster, encodePng, initBackend, saveModel } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLectureModel } from '../src/model/lecture-cnn.js';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-cli-'));
const modelDir = join(work, 'model');

function cliIn(initCwd: string | undefined, args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CNN_LAB_BACKEND: 'wasm',
    CNN_LAB_CACHE: join(work, 'cache'),
    CNN_LAB_RUNS: join(work, 'runs'),
  };
  delete env.INIT_CWD; // set when the tests themselves run under pnpm
  if (initCwd !== undefined) env.INIT_CWD = initCwd;
  const r = spawnSync(tsx, [join(appDir, 'src', 'cli.ts'), ...args], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 120_000,
    env,
  });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}

function cli(...args: string[]) {
  return cliIn(undefined, args);
}

/**
 * The first 24 bytes of a PNG (signature, IHDR length, type, width, height) plus a few more: enough for the
 * size check, which reads only the header, so a "huge" image costs nothing to make or to refuse.
 */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.set([8, 2, 0, 0, 0], 24); // 8-bit RGB, no interlace
  return b;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // An untrained lecture model is enough to check the plumbing (the shipped model is checked by eval runs).
  await saveModel(buildLectureModel(1), modelDir, {
    app: 'cnn-explorer',
    split: { seed: 1, testFraction: 0.2, validationFraction: 0.1 },
  });
});

describe('cnn-explorer CLI', () => {
  it('visualize --json writes the grid and ends with one JSON line of results', () => {
    const out = join(work, 'classes.png');
    const r = cli('visualize', '--kind', 'class', '--steps', '3', '--model-dir', modelDir, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.last) as {
      output: string;
      layer: string;
      units: number;
      pictures: Array<{ predicted: number }>;
    };
    expect(result.output).toBe(out);
    expect(result.layer).toBe('output');
    expect(result.units).toBe(10);
    expect(result.pictures).toHaveLength(10);
    // stdout holds nothing but the JSON line under --json.
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('predict reads a digit image and names the file and digit', () => {
    const raster = createRaster(40, 40, [255, 255, 255]);
    for (let y = 8; y < 32; y++) raster.data.set([0, 0, 0, 255], (y * 40 + 20) * 4); // a dark "1" on paper
    const file = join(work, 'one.png');
    writeFileSync(file, encodePng(raster));
    const bad = join(work, 'notes.png');
    writeFileSync(bad, 'this is not a picture');
    const r = cli('predict', file, bad, '--model-dir', modelDir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.last) as {
      predictions: Array<{ file: string; digit: number; confidence: number }>;
      skipped: number;
    };
    expect(result.predictions).toHaveLength(1);
    expect(result.predictions[0]!.file).toBe(file);
    expect(result.predictions[0]!.digit).toBeGreaterThanOrEqual(0);
    expect(result.skipped).toBe(1);
    expect(r.stderr).toContain(`${bad}: is not a PNG or JPEG image`);
  });

  it('dream refuses a file that is not an image, and an empty one, naming the file', () => {
    const text = join(work, 'photo.jpg');
    writeFileSync(text, 'hello');
    let r = cli('dream', text, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.last)).toMatchObject({ error: expect.stringContaining(`${text}: is not a PNG or JPEG image`) });
    const empty = join(work, 'empty.png');
    writeFileSync(empty, '');
    r = cli('dream', empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${empty}: is not a PNG or JPEG image (starts with nothing: it is empty)`);
    r = cli('dream', join(work, 'missing.png'));
    expect(r.stderr).toContain('missing.png: does not exist');
  });

  it('reads relative paths from the folder the command was typed in (INIT_CWD under pnpm), not the app folder', () => {
    writeFileSync(join(work, 'typed-here.jpg'), 'not a photo');
    const r = cliIn(work, ['dream', 'typed-here.jpg', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.last)).toMatchObject({
      error: expect.stringContaining(`${join(work, 'typed-here.jpg')}: is not a PNG or JPEG image`),
    });
  });

  it('dream refuses a zero-size and a huge image before decoding them, naming the file', () => {
    const zero = join(work, 'zero.png');
    writeFileSync(zero, pngHeader(0, 0));
    let r = cli('dream', zero, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.last)).toMatchObject({
      error: expect.stringContaining(`${zero}: is 0x0 pixels: an image needs at least one`),
    });
    const huge = join(work, 'huge.png');
    writeFileSync(huge, pngHeader(100_000, 80_000));
    r = cli('dream', huge);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${huge}: is 100000x80000 = 8000000000 pixels; the limit is 16777216`);
  });

  it('style names whichever of its two images is bad, and a truncated JPEG', () => {
    const photo = join(work, 'photo.png');
    writeFileSync(photo, encodePng(createRaster(8, 6, [120, 160, 200])));
    const text = join(work, 'painting.jpg');
    writeFileSync(text, 'not a painting');
    let r = cli('style', photo, text, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.last)).toMatchObject({ error: expect.stringContaining(`${text}: is not a PNG or JPEG image`) });
    // A JPEG cut off after its start-of-image marker: recognised as JPEG, but with no frame to read.
    const cut = join(work, 'cut.jpg');
    writeFileSync(cut, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    r = cli('style', cut, photo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cut}: is a JPEG without a frame header (truncated or damaged)`);
  });

  it.each([
    ['visualize', ['--layer', '--kind', '--l1', '--jitter', '--blur', '--out']],
    ['dream', ['--layers', '--octaves', '--octave-scale', '--steps', '--step-size', '--max-size', '--out']],
    ['style', ['--steps', '--max-size', '--content-layer', '--style-layers', '--style-weight', '--tv-weight', '--out']],
    ['report', ['--out', '--no-dream', '--dream-size', '--style-steps', '--data-dir', '--steps', '--l1']],
    ['start', ['--port', '--host', '--no-pictures', '--model-dir', '--backend']],
    ['ood', ['--quantile', '--crops', '--data-dir', '--model-dir']],
    [
      'train',
      ['--model-dir', '--epochs', '--batch-size', '--seed', '--resume', '--workers', '--learning-rate', '--max-shift'],
    ],
  ])('%s --help lists its own flags', (verb, flags) => {
    const r = cli(verb, '--help');
    expect(r.code, r.stderr).toBe(0);
    for (const flag of flags) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('--json');
  });

  it('says how long the report takes before it starts, and that start serves the page', () => {
    const top = cli('--help').stdout.replace(/\s+/g, ' ');
    expect(top).toMatch(/report \[options\] write the long HTML report.*\(about 3-4 minutes on two cores\)/);
    expect(top).toContain('start [options] serve the page: draw a digit');
    expect(cli('train', '--help').stdout.replace(/\s+/g, ' ')).toContain(
      'default: a new runs/cnn-explorer/<time> folder',
    );
  });

  it('train --resume with no run to continue says so instead of training from scratch', () => {
    const r = cli('train', '--resume', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.last)).toMatchObject({
      error: expect.stringContaining(
        `--resume: no run of cnn-explorer with checkpoints in ${join(work, 'runs', 'cnn-explorer')}`,
      ),
    });
  });

  it('names a bad flag value and an unknown layer', () => {
    let r = cli('visualize', '--kind', 'pixel', '--model-dir', modelDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected one of filter, neuron, class');
    r = cli('visualize', '--layer', 'conv9', '--model-dir', modelDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no layer 'conv9'.*conv1.*conv2/);
    r = cli('eval', '--model-dir', join(work, 'nothing-here'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no model in');
  });
});
