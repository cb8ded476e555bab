/**
 * File writes that run behind the work that made them. A job's bytes are taken before it is added (a snapshot of
 * weights, state or metadata), so the caller may go on changing what they came from; the jobs run one after another
 * in the order added, each as atomic as the function it calls. fit queues its checkpoints here: a 65 MB checkpoint's
 * write and fsync no longer hold up the next epoch.
 *
 * A failed job is kept and thrown by the next `add` or `drain`; the jobs after it are skipped (a full disk fails
 * them all the same). At most `maxPending` jobs wait at once: `add` waits for the oldest first, so a slow disk
 * slows the caller down instead of piling snapshots up in memory.
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly pending: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly maxPending = 4) {
    if (!(Number.isInteger(maxPending) && maxPending >= 1))
      throw new RangeError(`WriteQueue: maxPending must be a whole number >= 1, got ${maxPending}`);
  }

  /** Queues `job` after the jobs already added; resolves once it is queued, not once it has run. */
  async add(job: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.pending.length >= this.maxPending) await this.pending[0];
    this.throwIfFailed();
    const run = this.tail.then(async () => {
      if (this.failure) return;
      try {
        await job();
      } catch (error) {
        this.failure ??= { error };
      }
    });
    this.tail = run;
    this.pending.push(run);
    void run.then(() => this.pending.splice(this.pending.indexOf(run), 1));
  }

  /** Waits for every job added so far; throws the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    this.throwIfFailed();
  }

  /** Waits for every job added so far without throwing (when another error is already on its way out). */
  async settle(): Promise<void> {
    await this.tail;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
