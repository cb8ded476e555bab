// Feature-encoding throughput over real games, on one thread: reads SGF files, replays every game and
// encodes the position before each move. Prints positions/s for encoding alone and end to end.
//   tsx bench/features.ts [--data-dir DIR] [--games N] [--set alphago] [--scan-only] [--json]
// --scan-only reads and replays every game (legality checked) without encoding: a summary of the folder.
// DIR defaults to $CNN_LAB_DATA/go/fox-pro, else /work/shared/datasets/go/fox-pro.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_SET_NAMES, encodeBoard, isFeatureSetName, planeCount } from '../src/features/index.js';
import { emptySummary, formatSummary, readSgf, replay, tally } from '../src/sgf/index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      games: { type: 'string', default: '1000' },
      set: { type: 'string', default: 'alphago' },
      json: { type: 'boolean', default: false },
      'scan-only': { type: 'boolean', default: false },
    },
  });
  const dir =
    values['data-dir'] ??
    (process.env.CNN_LAB_DATA ? join(process.env.CNN_LAB_DATA, 'go/fox-pro') : '/work/shared/datasets/go/fox-pro');
  const limit = Number(values.games);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--games must be a positive integer, got ${values.games}`);
  const set = values.set ?? 'alphago';
  if (!isFeatureSetName(set)) throw new Error(`--set must be one of ${FEATURE_SET_NAMES.join(', ')}, got ${set}`);

  let files: string[];
  try {
    files = (await readdir(dir, { recursive: true })).filter((f) => f.toLowerCase().endsWith('.sgf')).sort();
  } catch {
    throw new Error(`no SGF folder at ${dir}: pass --data-dir (a folder of .sgf files) or set CNN_LAB_DATA`);
  }
  if (files.length === 0) throw new Error(`no .sgf files under ${dir}`);
  // Spread the sample over the whole folder (all ranks), deterministically.
  const step = Math.max(1, Math.floor(files.length / limit));
  const chosen = files.filter((_, i) => i % step === 0).slice(0, limit);

  const planes = planeCount(set);
  const out = new Uint8Array(361 * planes);
  const summary = emptySummary();
  let positions = 0;
  let encodeNs = 0n;
  let encodeCpuUs = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (const [i, f] of chosen.entries()) {
    const r = readSgf(await readFile(join(dir, f)));
    tally(summary, f, r);
    if (!r.ok || values['scan-only']) continue;
    replay(r.game, (board, m) => {
      if (m.move < 0) return;
      const s = process.hrtime.bigint();
      const c = process.cpuUsage();
      encodeBoard(board, set, out);
      encodeNs += process.hrtime.bigint() - s;
      const d = process.cpuUsage(c);
      encodeCpuUs += d.user + d.system;
      positions++;
    });
    if ((i + 1) % 200 === 0) process.stderr.write(`\r${i + 1}/${chosen.length} games, ${positions} positions`);
  }
  const totalS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const encS = Number(encodeNs) / 1e9;
  process.stderr.write('\n');
  const result = {
    set,
    planes,
    games: summary.games,
    positions,
    encodePositionsPerSecond: Math.round(positions / encS),
    encodePositionsPerCpuSecond: Math.round(positions / (encodeCpuUs / 1e6)),
    endToEndPositionsPerSecond: Math.round(positions / totalS),
    // Per second of this process's CPU time: what one core gives when other jobs share the machine.
    endToEndPositionsPerCpuSecond: Math.round(positions / cpuS),
    seconds: Number(totalS.toFixed(2)),
  };
  console.log(formatSummary(summary));
  if (values['scan-only']) {
    console.log(`scanned ${summary.files} files in ${totalS.toFixed(1)} s`);
    if (values.json) console.log(JSON.stringify({ ...summary, seconds: Number(totalS.toFixed(2)) }));
    return;
  }
  console.log(
    `${set} (${planes} planes): ${positions} positions from ${summary.games} games; encoding ${result.encodePositionsPerSecond} positions/s wall, ` +
      `${result.encodePositionsPerCpuSecond} per CPU second; ` +
      `end to end (read + parse + replay + encode) ${result.endToEndPositionsPerSecond} positions/s wall, ` +
      `${result.endToEndPositionsPerCpuSecond} positions per CPU second; one thread`,
  );
  if (values.json) console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
