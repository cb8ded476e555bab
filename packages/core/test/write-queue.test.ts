import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../src/io/write-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WriteQueue', () => {
  it('runs jobs one at a time in the order added while the caller goes on', async () => {
    const q = new WriteQueue();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await q.add(job('a'));
    await q.add(job('b'));
    log.push('caller');
    await q.drain();
    expect(log.filter((l) => l !== 'caller')).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(log.indexOf('caller')).toBeLessThan(log.indexOf('a end'));
  });

  it('throws a failure at the next add and at drain, and skips the jobs after it', async () => {
    const q = new WriteQueue();
    const ran: string[] = [];
    await q.add(async () => {
      throw new Error('disk full');
    });
    await q.add(async () => void ran.push('after'));
    await expect(q.drain()).rejects.toThrow('disk full');
    await expect(q.add(async () => void ran.push('later'))).rejects.toThrow('disk full');
    await q.settle();
    expect(ran).toEqual([]);
  });

  it('lets at most maxPending jobs wait: add waits for the oldest', async () => {
    const q = new WriteQueue(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await q.add(() => gate);
    await q.add(async () => undefined);
    let third = false;
    const adding = q.add(async () => undefined).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    release();
    await adding;
    expect(third).toBe(true);
    await q.drain();
    expect(() => new WriteQueue(0)).toThrow('maxPending must be a whole number >= 1');
  });
});
