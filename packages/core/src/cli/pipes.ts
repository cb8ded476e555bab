/**
 * A reader that stops reading is no error of ours: `predict a.wav b.wav | head -1` or a GTP controller that quits
 * closes the pipe, and the next write fails with EPIPE. Node reports that as an 'error' event on stdout which,
 * unhandled, crashes the process with a stack trace (and, after tfjs-wasm loads, a line of its minified source).
 * With this installed the process instead ends at once, quietly, with exit code 0: its output has gone as far
 * as the reader wanted it.
 */
const installed = new WeakSet<NodeJS.WriteStream>();

export function exitQuietlyOnClosedPipe(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const stream of streams) {
    if (installed.has(stream)) continue;
    installed.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        exit(0);
        return;
      }
      // Anything else on a standard stream (a full disk under `> file`, say) is a real failure: say so once.
      if (stream !== process.stderr) process.stderr.write(`error: cannot write output: ${err.message}\n`);
      exit(1);
    });
  }
}
