// Talking to another Go program over GTP: a child process, one command at a time, each with a timeout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class GtpClientError extends Error {
  override name = 'GtpClientError';
}

export class GtpClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: { resolve: (s: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private exited: Error | undefined;
  private stderrTail = '';

  /** Starts `command` (a shell command line, e.g. "gnugo --mode gtp --level 1"). */
  constructor(
    readonly command: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.buffer += d.replaceAll('\r', '');
      this.flush();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-500)));
    this.child.on('error', (e) => this.die(new GtpClientError(`'${command}' could not start: ${e.message}`)));
    this.child.on('exit', (code, signal) => {
      const tail = this.stderrTail.trim();
      this.die(new GtpClientError(`'${command}' exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
    this.child.stdin.on('error', () => undefined);
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

  /** Sends one command and resolves with the success text (without "= "); rejects on "?", a timeout or exit. */
  send(command: string): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new GtpClientError('one GTP command at a time'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new GtpClientError(`'${this.command}' did not answer '${command}' within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.child.stdin.write(`${command}\n`);
      this.flush();
    });
  }

  async close(): Promise<void> {
    if (!this.exited) {
      try {
        await Promise.race([this.send('quit'), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // already gone
      }
    }
    this.child.kill();
  }
}
