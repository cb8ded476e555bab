/**
 * Learning-rate schedules, evaluated once per epoch (0-based) from the optimizer's base rate.
 * - step: multiply by `factor` every `every` epochs (Krizhevsky et al.'s "divide by 10 when stuck").
 * - exponential: multiply by `decay` each epoch.
 * - cosine: half a cosine from the base rate down to `minLr` over `epochs` (default: the run's epochs).
 * - a function of (epoch, baseLr).
 */
export type LrSchedule =
  | { type: 'step'; every: number; factor: number }
  | { type: 'exponential'; decay: number }
  | { type: 'cosine'; epochs?: number; minLr?: number }
  | ((epoch: number, baseLr: number) => number);

export function learningRateAt(
  schedule: LrSchedule | undefined,
  epoch: number,
  baseLr: number,
  totalEpochs: number,
): number {
  if (schedule === undefined) return baseLr;
  if (typeof schedule === 'function') return schedule(epoch, baseLr);
  switch (schedule.type) {
    case 'step':
      if (!(schedule.every >= 1)) throw new Error(`lrSchedule step: 'every' must be >= 1, got ${schedule.every}`);
      return baseLr * schedule.factor ** Math.floor(epoch / schedule.every);
    case 'exponential':
      return baseLr * schedule.decay ** epoch;
    case 'cosine': {
      const span = Math.max(1, (schedule.epochs ?? totalEpochs) - 1);
      const minLr = schedule.minLr ?? 0;
      const t = Math.min(1, epoch / span);
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * t));
    }
    default:
      throw new Error(
        `unknown lrSchedule ${JSON.stringify(schedule)}: expected step, exponential, cosine or a function`,
      );
  }
}
