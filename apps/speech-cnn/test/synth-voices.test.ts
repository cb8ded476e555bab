import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio/index.js';
import { labelEntries } from '../src/data/index.js';

// scripts/synth-voices.sh makes the synthetic speakers the shipped model trains on; it needs Debian's TTS tools
// (.ci/run installs them).
const script = join(import.meta.dirname, '..', 'scripts', 'synth-voices.sh');
const tools = ['espeak-ng', 'flite', 'festival', 'sox'];
const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (missing.length)
  console.warn(
    `synth-voices tests skipped: ${missing.join(', ')} not installed (apt-get install sox espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)`,
  );
const dir = mkdtempSync(join(tmpdir(), 'synth-voices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)('scripts/synth-voices.sh', () => {
  it('writes every digit in every voice as an 8 kHz FSDD-named WAV peaking near -3 dBFS, the same bytes each run', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    execFileSync('sh', [script, a, '1'], { stdio: 'pipe' });
    execFileSync('sh', [script, b, '1'], { stdio: 'pipe' });
    const files = readdirSync(a).sort();
    const { entries, skipped } = labelEntries(files);
    expect(skipped).toEqual([]);
    const voices = new Set(entries.map((e) => e.speaker));
    expect(voices.size).toBe(27);
    for (const v of voices)
      expect(
        entries
          .filter((e) => e.speaker === v)
          .map((e) => e.label)
          .sort(),
      ).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const f of files) {
      const bytes = readFileSync(join(a, f));
      const audio = decodeWav(bytes, f);
      expect(audio.sampleRate, f).toBe(8000);
      // A spoken digit: between a fifth of a second and two seconds, normalised to -3 dBFS before resampling
      // (which moves a peak by a dB or so): never clipped, never faint.
      expect(audio.samples.length / 8000, f).toBeGreaterThan(0.2);
      expect(audio.samples.length / 8000, f).toBeLessThan(2);
      const peak = audio.samples.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(20 * Math.log10(peak), f).toBeLessThan(-1);
      expect(20 * Math.log10(peak), f).toBeGreaterThan(-6);
      expect(readFileSync(join(b, f)).equals(bytes), `${f} differs between runs`).toBe(true);
    }
  }, 120_000);

  it('refuses a takes count that is not a whole number', () => {
    const r = spawnSync('sh', [script, join(dir, 'c'), 'six']);
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/takes must be a whole number, got 'six'/);
  });
});
