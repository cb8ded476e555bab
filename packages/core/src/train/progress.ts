import cliProgress from 'cli-progress';

export interface EpochProgress {
  update(examples: number, loss: number, accuracy: number): void;
  stop(): void;
}

function formatRate(examplesPerSecond: number): string {
  return examplesPerSecond >= 100 ? examplesPerSecond.toFixed(0) : examplesPerSecond.toFixed(1);
}

/**
 * A bar on stderr (so stdout stays clean for --json) for one epoch: examples done, examples/s, running
 * loss and accuracy, ETA. cli-progress draws nothing when stderr is not a terminal.
 */
export function epochProgress(
  label: string,
  total: number,
  quiet: boolean,
  alreadyDone = 0,
  stream: NodeJS.WritableStream = process.stderr,
): EpochProgress {
  if (quiet) return { update: () => undefined, stop: () => undefined };
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
  const started = Date.now();
  bar.start(total, alreadyDone, { rate: '-', loss: '-', acc: '-' });
  return {
    update(examples, loss, accuracy) {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (examples - alreadyDone) / seconds : 0;
      bar.update(Math.min(examples, total), { rate: formatRate(rate), loss: loss.toFixed(4), acc: accuracy.toFixed(3) });
    },
    stop() {
      bar.stop();
    },
  };
}
