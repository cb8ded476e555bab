// A feature worker: reads its share of SGF files, encodes every position and sends chunks of
// examples to the data stream when asked (see worker-protocol.ts). Bad files are counted, not fatal.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '@cnn-lab/core';
import { encodeGame, skipReason } from './positions.js';
import type { ChunkMessage, DoneMessage, ErrorMessage, WorkerJob } from './worker-protocol.js';
import type { Encoded } from './positions.js';

async function main(job: WorkerJob): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run in a worker thread');
  let credits = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    wake?.();
  });
  const waitForCredit = async (): Promise<void> => {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    credits--;
  };

  const rng = new Rng(job.seed);
  const done: DoneMessage = { type: 'done', games: 0, positions: 0, skipped: {} };
  let pending: Encoded[] = [];
  let pendingCount = 0;
  const flush = async (all: boolean): Promise<void> => {
    while (pendingCount >= job.chunkSize || (all && pendingCount > 0)) {
      const n = Math.min(job.chunkSize, pendingCount);
      const chunk = take(pending, n);
      pending = chunk.rest;
      pendingCount -= n;
      await waitForCredit();
      const msg: ChunkMessage = {
        type: 'chunk',
        count: n,
        planes: chunk.planes,
        moves: chunk.moves,
        moveNumbers: chunk.moveNumbers,
      };
      port.postMessage(msg, [
        msg.planes.buffer as ArrayBuffer,
        msg.moves.buffer as ArrayBuffer,
        msg.moveNumbers.buffer as ArrayBuffer,
      ]);
    }
  };

  for (const file of job.files) {
    let encoded;
    try {
      encoded = encodeGame(await readFile(file), file, {
        featureSet: job.featureSet,
        symmetry: job.symmetries ? () => rng.int(8) : () => 0,
      });
    } catch (err) {
      const reason = skipReason(err);
      const into = (done.skipped[reason] ??= { count: 0, example: file });
      into.count++;
      continue;
    }
    done.games++;
    done.positions += encoded.count;
    if (encoded.count === 0) continue;
    pending.push(encoded);
    pendingCount += encoded.count;
    await flush(false);
  }
  await flush(true);
  port.postMessage(done);
  port.close();
}

/** The first n examples of the pending list as one contiguous chunk, and what remains. */
function take(
  parts: Encoded[],
  n: number,
): { planes: Uint8Array; moves: Int32Array; moveNumbers: Int32Array; rest: Encoded[] } {
  const per = (parts[0] as Encoded).planes.length / (parts[0] as Encoded).count;
  const planes = new Uint8Array(n * per);
  const moves = new Int32Array(n);
  const moveNumbers = new Int32Array(n);
  let got = 0;
  const rest = [...parts];
  while (got < n) {
    const p = rest[0] as Encoded;
    const k = Math.min(n - got, p.count);
    planes.set(p.planes.subarray(0, k * per), got * per);
    moves.set(p.moves.subarray(0, k), got);
    moveNumbers.set(p.moveNumbers.subarray(0, k), got);
    got += k;
    if (k === p.count) rest.shift();
    else {
      rest[0] = {
        planes: p.planes.subarray(k * per),
        moves: p.moves.subarray(k),
        moveNumbers: p.moveNumbers.subarray(k),
        count: p.count - k,
      };
    }
  }
  return { planes, moves, moveNumbers, rest };
}

main(workerData as WorkerJob).catch((err: unknown) => {
  const msg: ErrorMessage = { type: 'error', message: err instanceof Error ? err.message : String(err) };
  parentPort?.postMessage(msg);
});
