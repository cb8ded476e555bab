// Talking to another Go program over GTP: a child process, one command at a time, each with a timeout.
//
// The child never outlives us. It runs in a process group of its own (a shell command line may start more
// processes: `sh -c "sleep 1234"` once left `sleep` running, re-parented to init, and its open pipes kept this
// process from exiting), and the whole group is killed: by close(), when a command times out (a stuck engine is
// no use), and when this process exits or is ended by SIGINT, SIGTERM or SIGHUP. A SIGKILL of this process cannot
// be acted on, so a guard (a detached shell loop, one `kill -0` a second) ends the group when this process is gone,
// also for a child that ignores its stdin closing; the guard ends with the group.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class GtpClientError extends Error {
  override name = 'GtpClientError';
}

/** How long a child gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1000;

/**
 * Polls once a second while both this process ($1) and the child's group ($2) live; when this process is gone
 * (killed by SIGKILL: no handler of ours ran), ends the group. Its own process group, so nothing ends it but that.
 */
const GUARD =
  'while kill -0 "$1" 2>/dev/null && kill -0 "-$2" 2>/dev/null; do sleep 1; done; kill -0 "$1" 2>/dev/null || { kill -TERM "-$2"; sleep 1; kill -KILL "-$2"; } 2>/dev/null';

function guard(pgid: number): void {
  try {
    spawn('sh', ['-c', GUARD, 'gtp-guard', String(process.pid), String(pgid)], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  } catch {
    // No shell to run the guard: the handlers above still cover every ending but SIGKILL.
  }
}

/** Clients whose process may still run, so that an exit or a signal can end them all. */
const live = new Set<GtpClient>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onExit(): void {
  for (const c of live) c.killNow('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  for (const c of live) c.killNow('SIGKILL');
  // Then what the signal would have done without us: end this process (unless someone else handles it too).
  if (process.listenerCount(signal) <= 1) {
    unwatch();
    process.kill(process.pid, signal);
  }
}

function watch(client: GtpClient): void {
  if (live.size === 0) {
    process.on('exit', onExit);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  live.add(client);
}

function unwatch(client?: GtpClient): void {
  if (client) live.delete(client);
  if (live.size > 0 && client) return;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export class GtpClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: { resolve: (s: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private exited: Error | undefined;
  private gone = false;
  private readonly goneWaiters: Array<() => void> = [];
  private stderrTail = '';

  /** Starts `command` (a shell command line, e.g. "gnugo --mode gtp --level 1"). */
  constructor(
    readonly command: string,
    private readonly timeoutMs = 60_000,
  ) {
    // detached: a process group of its own, so that killing -pid reaches everything the command line started.
    this.child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    watch(this);
    if (this.child.pid !== undefined) guard(this.child.pid);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.buffer += d.replaceAll('\r', '');
      this.flush();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-500)));
    this.child.on('error', (e) => {
      this.markGone();
      this.die(new GtpClientError(`'${command}' could not start: ${e.message}`));
    });
    this.child.on('exit', (code, signal) => {
      // The shell is gone; anything it started is killed with the group, so no pipe keeps us alive.
      this.killNow('SIGKILL');
      this.markGone();
      const tail = this.stderrTail.trim();
      this.die(new GtpClientError(`'${command}' exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
    this.child.stdin.on('error', () => undefined);
  }

  /** The child's process id (its process group's id too). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    unwatch(this);
    for (const w of this.goneWaiters.splice(0)) w();
  }

  /** Sends `signal` to the child's whole process group, at once (safe to call when it is gone already). */
  killNow(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is gone.
    }
  }

  private die(err: Error): void {
    this.exited ??= err;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      clearTimeout(w.timer);
      w.reject(this.exited);
    }
  }

  private flush(): void {
    const end = this.buffer.indexOf('\n\n');
    if (end < 0 || !this.waiting) return;
    const reply = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 2);
    const w = this.waiting;
    this.waiting = undefined;
    clearTimeout(w.timer);
    if (reply.startsWith('=')) w.resolve(reply.replace(/^=\d*\s?/, ''));
    else w.reject(new GtpClientError(`'${this.command}' refused: ${reply.replace(/^\?\d*\s?/, '')}`));
  }

  /**
   * Sends one command and resolves with the success text (without "= "); rejects on "?", an exit or a timeout.
   * A timeout also ends the program: one that does not answer cannot be asked anything else.
   */
  send(command: string): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new GtpClientError('one GTP command at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        const err = new GtpClientError(
          `'${this.command}' did not answer '${command}' within ${this.timeoutMs / 1000} s`,
        );
        this.exited ??= err;
        reject(err);
        void this.terminate();
      }, this.timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.child.stdin.write(`${command}\n`);
      this.flush();
    });
  }

  /** SIGTERM to the group, SIGKILL after KILL_GRACE_MS; resolves when the child has exited. */
  private async terminate(): Promise<void> {
    if (this.gone) return;
    const exited = new Promise<void>((resolve) => this.goneWaiters.push(resolve));
    this.killNow('SIGTERM');
    const timer = setTimeout(() => this.killNow('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.killNow('SIGKILL');
  }

  /** Asks the program to quit (2 s at most), then ends its whole process group. */
  async close(): Promise<void> {
    if (!this.exited) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const quit = this.send('quit');
        quit.catch(() => undefined); // it may settle after the race: never an unhandled rejection
        await Promise.race([quit, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      } catch {
        // already gone
      } finally {
        clearTimeout(timer);
      }
    }
    this.child.stdin.end();
    await this.terminate();
  }
}
