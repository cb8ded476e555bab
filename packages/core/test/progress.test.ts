import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { epochProgress, formatDuration, progressLine } from '../src/train/progress.js';

function sink(extra: object = {}): { stream: NodeJS.WritableStream; text: () => string; clear: () => void } {
  let text = '';
  const stream = Object.assign(
    new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) }),
    extra,
  );
  return { stream, text: () => text, clear: () => (text = '') };
}

describe('progress bar', () => {
  it('shows examples, examples/s, loss, accuracy and ETA on a terminal', async () => {
    const out = sink({ isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true });
    const bar = epochProgress('epoch 1/3', 1000, false, 0, out.stream);
    await new Promise((r) => setTimeout(r, 30));
    bar.update(500, 0.6931, 0.5);
    bar.stop();
    expect(out.text()).toMatch(/epoch 1\/3 .* 500\/1000 ex \| [\d.]+ ex\/s \| loss 0\.6931 acc 0\.500 \| ETA \d+s/);
    out.clear();
    epochProgress('epoch 1/3', 1000, true, 0, out.stream).update(10, 1, 1);
    expect(out.text()).toBe('');
  });
});

describe('progress without a terminal', () => {
  it('prints a plain line at most every interval, with the rate of this run and the ETA', () => {
    const out = sink();
    let t = 1_000_000;
    const progress = epochProgress('epoch 2/5', 1000, false, 100, out.stream, { now: () => t });
    t += 4_000;
    progress.update(300, 0.9, 0.4);
    expect(out.text()).toBe('');
    t += 6_000;
    // 400 examples of this run in 10 s (100 were done before a resume): 40 ex/s; 500 left: 12.5 s.
    progress.update(500, 0.75, 0.5);
    expect(out.text()).toBe('epoch 2/5 500/1000 ex (50%) | 40.0 ex/s | loss 0.7500 acc 0.500 | ETA 13s\n');
    t += 9_999;
    progress.update(700, 0.7, 0.6);
    expect(out.text().split('\n')).toHaveLength(2);
    t += 1;
    progress.update(800, 0.6, 0.7);
    expect(out.text().split('\n')[1]).toMatch(
      /^epoch 2\/5 800\/1000 ex \(80%\) \| 35\.0 ex\/s \| loss 0\.6000 acc 0\.700 \| ETA 6s$/,
    );
    progress.stop();
    expect(out.text().split('\n')).toHaveLength(3);
  });

  it('honours quiet and a custom interval', () => {
    const out = sink();
    let t = 0;
    const quiet = epochProgress('e', 10, true, 0, out.stream, { now: () => t, intervalMs: 1 });
    t = 5;
    quiet.update(5, 1, 1);
    expect(out.text()).toBe('');
    const fast = epochProgress('e', 10, false, 0, out.stream, { now: () => t, intervalMs: 1 });
    t = 1005;
    fast.update(5, 1, 1);
    expect(out.text()).toBe('e 5/10 ex (50%) | 5.0 ex/s | loss 1.0000 acc 1.000 | ETA 1s\n');
  });
});

describe('progress formatting', () => {
  it('writes durations as s, m + s, h + m', () => {
    expect([formatDuration(0), formatDuration(42.4), formatDuration(187), formatDuration(7500)]).toEqual([
      '0s',
      '42s',
      '3m07s',
      '2h05m',
    ]);
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('-');
  });

  it('shows no ETA before anything has run', () => {
    expect(progressLine('e', 0, 10, 0, 0, 0)).toBe('e 0/10 ex (0%) | 0.0 ex/s | loss 0.0000 acc 0.000 | ETA -');
  });
});
