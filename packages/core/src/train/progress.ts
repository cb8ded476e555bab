import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(examples: number, loss: number, accuracy: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Without a terminal, the least time between two plain lines (default 10 s). */
  intervalMs?: number;
  /** The clock, in ms; tests pass their own. */
  now?: () => number;
}

function formatRate(examplesPerSecond: number): string {
  return examplesPerSecond >= 100 ? examplesPerSecond.toFixed(0) : examplesPerSecond.toFixed(1);
}

/** 42s, 3m07s, 2h05m: short enough for a log line, exact enough for an ETA. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One plain progress line, the same figures the bar shows, for logs that are not a terminal. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  examplesPerSecond: number,
  loss: number,
  accuracy: number,
): string {
  const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
  const eta = examplesPerSecond > 0 ? formatDuration((total - done) / examplesPerSecond) : '-';
  return `${label} ${done}/${total} ex (${percent}%) | ${formatRate(examplesPerSecond)} ex/s | loss ${loss.toFixed(4)} acc ${accuracy.toFixed(3)} | ETA ${eta}`;
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Progress of one epoch on stderr (so stdout stays clean for --json): examples done, examples/s, running
 * loss and accuracy, ETA. On a terminal a cli-progress bar; otherwise (a background run's log, where the
 * bar draws nothing) a plain line at most every `intervalMs`.
 */
export function epochProgress(
  label: string,
  total: number,
  quiet: boolean,
  alreadyDone = 0,
  stream: NodeJS.WritableStream = process.stderr,
  options: ProgressOptions = {},
): EpochProgress {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  const now = options.now ?? Date.now;
  return isTerminal(stream)
    ? barProgress(label, total, alreadyDone, stream, now)
    : lineProgress(label, total, alreadyDone, stream, now, options.intervalMs ?? 10_000);
}

function barProgress(
  label: string,
  total: number,
  alreadyDone: number,
  stream: NodeJS.WritableStream,
  now: () => number,
): EpochProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {bar} {value}/{total} ex | {rate} ex/s | loss {loss} acc {acc} | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = now();
  bar.start(total, alreadyDone, { rate: '-', loss: '-', acc: '-' });
  return {
    update(examples, loss, accuracy) {
      const seconds = (now() - started) / 1000;
      const rate = seconds > 0 ? (examples - alreadyDone) / seconds : 0;
      bar.update(Math.min(examples, total), {
        rate: formatRate(rate),
        loss: loss.toFixed(4),
        acc: accuracy.toFixed(3),
      });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(
  label: string,
  total: number,
  alreadyDone: number,
  stream: NodeJS.WritableStream,
  now: () => number,
  intervalMs: number,
): EpochProgress {
  const started = now();
  let last = started;
  return {
    update(examples, loss, accuracy) {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      // The rate counts this run's examples only: a resumed epoch's earlier ones took no time here.
      const rate = (examples - alreadyDone) / ((t - started) / 1000);
      stream.write(`${progressLine(label, Math.min(examples, total), total, rate, loss, accuracy)}\n`);
    },
    stop: () => undefined,
  };
}
