// Every opponent process ends with its parent: on close(), on a time-out, and when the parent exits, throws or
// is ended by a signal, also when the command line started more processes than one (a shell's children).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GtpClient, GtpClientError } from '../src/play/gtp-client.js';

const APP = resolve(import.meta.dirname, '..');

/**
 * Whether any process of group `pgid` is alive. A killed process whose parent is gone waits as a zombie until
 * pid 1 reaps it, which some sandboxes' pid 1 does only seconds later: a zombie runs nothing and does not count.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  try {
    const states = execFileSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' });
    return states
      .split('\n')
      .map((l) => l.trim())
      .some((st) => st !== '' && !st.startsWith('Z'));
  } catch {
    return false;
  }
}

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !groupAlive(pgid);
}

/** The processes in group `pgid`, by command name. */
function groupMembers(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'comm=', '-g', String(pgid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe('an opponent that never answers', () => {
  it('times out, and the time-out ends it and everything its command line started', async () => {
    const client = new GtpClient('sleep 1234 & sleep 1234', 300);
    const pid = client.pid as number;
    await new Promise((r) => setTimeout(r, 200));
    expect(groupMembers(pid).filter((c) => c === 'sleep')).toHaveLength(2);
    const t0 = Date.now();
    await expect(client.send('genmove b')).rejects.toThrow(/did not answer 'genmove b' within 0\.3 s/);
    expect(await gone(pid, 3000)).toBe(true);
    await expect(client.send('name')).rejects.toBeInstanceOf(GtpClientError);
    await client.close();
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('close() ends it within seconds even though it ignores quit', async () => {
    const client = new GtpClient("trap '' TERM; sleep 1234", 60_000);
    const pid = client.pid as number;
    const t0 = Date.now();
    await client.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    // Killed processes are reaped by init within moments.
    expect(await gone(pid, 1000)).toBe(true);
  });
});

describe('when the parent ends', () => {
  it.each([
    ['exits', 'exit', undefined],
    ['throws', 'throw', undefined],
    ['gets SIGTERM', 'wait', 'SIGTERM'],
    ['gets SIGINT', 'wait', 'SIGINT'],
    ['gets SIGHUP', 'wait', 'SIGHUP'],
    // No handler runs on SIGKILL: the guard process sees the parent gone within a second and ends the group.
    ['gets SIGKILL', 'wait', 'SIGKILL'],
  ] as const)(
    'the opponent ends too when the parent %s',
    async (_what, mode, signal) => {
      const parent = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/gtp-parent.ts', mode], {
        cwd: APP,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const pid = await new Promise<number>((res, rej) => {
        parent.stdout.once('data', (d: Buffer) => res(Number(String(d).trim())));
        parent.once('exit', () => rej(new Error('the parent exited before starting its opponent')));
      });
      expect(groupAlive(pid)).toBe(true);
      const exited = new Promise<void>((r) => parent.once('exit', () => r()));
      if (signal) parent.kill(signal);
      await exited;
      expect(await gone(pid, signal === 'SIGKILL' ? 6000 : 3000)).toBe(true);
    },
    30_000,
  );
});

describe('match --opponent "sleep 1234"', () => {
  it('calls the game unfinished after --timeout, prints its JSON, exits, and leaves no opponent behind', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'go-policy-match-'));
    const marker = `sleep ${1000 + Math.floor(Math.random() * 9000)}`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'match',
        '--opponent',
        marker,
        '--timeout',
        '1',
        '--games',
        '1',
        '--engine',
        'policy',
        '--json',
      ],
      { cwd: APP, env: { ...process.env, CNN_LAB_RUNS: runs }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    const summary = JSON.parse(out.trim().split('\n').pop() as string) as { unfinished: number; games: number };
    expect(summary).toMatchObject({ games: 1, unfinished: 1 });
    const left = (() => {
      try {
        return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    })();
    expect(left).toBe('');
  }, 120_000);
});
