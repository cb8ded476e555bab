// Move-match through GTP, as a controller sees the engine: for every move of held-out pro games,
// `genmove` on the position before it (then `undo`), and `play` the pro move. The engine is this app's
// own `gtp` command in a child process, so the number includes everything between the net and the wire.
//   tsx bench/gtp-move-match.ts [--engine policy] [--games 50] [--data-dir DIR] [--split-seed 1]
//                               [--extra "<more gtp flags>"] [--json]
// Test games of the policy net's split, spread evenly. Handicap games are set up with fixed_handicap when
// their stones are GTP's fixed points; games with other setup stones are skipped (GTP cannot place them).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fixedHandicap, formatVertex, PASS } from '../src/board/index.js';
import { listGames } from '../src/data/games.js';
import { splitGames, spreadEvenly } from '../src/data/split.js';
import { GtpClient } from '../src/play/gtp-client.js';
import { latency } from '../src/play/latency.js';
import { readGames } from '../src/rollout/train.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'policy' },
      games: { type: 'string', default: '50' },
      'data-dir': { type: 'string' },
      'split-seed': { type: 'string', default: '1' },
      extra: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
    },
  });
  const dir =
    values['data-dir'] ??
    (process.env.CNN_LAB_DATA ? join(process.env.CNN_LAB_DATA, 'go/fox-pro') : '/work/shared/datasets/go/fox-pro');
  const n = Number(values.games);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--games must be a positive integer, got ${values.games}`);
  const log = values.json
    ? (m: string) => process.stderr.write(`${m}\n`)
    : (m: string) => process.stdout.write(`${m}\n`);
  const test = splitGames(await listGames(dir), Number(values['split-seed'])).test;
  const { games } = await readGames(dir, spreadEvenly(test, n));
  const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
  const command = `npx tsx ${cli} gtp --engine ${values.engine} ${values.extra}`;
  const engine = new GtpClient(command, 600_000);
  let positions = 0;
  let matched = 0;
  let skipped = 0;
  const ms: number[] = [];
  try {
    for (const [g, game] of games.entries()) {
      const stones = game.setup.black.length;
      const fixed = stones >= 2 && stones <= 9 ? new Set(fixedHandicap(19, stones)) : new Set<number>();
      const isFixed = game.setup.white.length === 0 && game.setup.black.every((p) => fixed.has(p));
      if (stones + game.setup.white.length > 0 && !isFixed) {
        skipped++;
        continue;
      }
      await engine.send('clear_board');
      await engine.send(`komi ${game.komi}`);
      if (stones > 0) await engine.send(`fixed_handicap ${stones}`);
      for (const m of game.moves) {
        const colour = m.colour === 1 ? 'b' : 'w';
        const want = formatVertex(m.move, 19);
        if (m.move !== PASS) {
          const t0 = performance.now();
          const got = (await engine.send(`genmove ${colour}`)).trim().toUpperCase();
          ms.push(performance.now() - t0);
          positions++;
          if (got === want) matched++;
          if (got !== 'RESIGN') await engine.send('undo');
        }
        await engine.send(`play ${colour} ${want}`);
      }
      log(
        `game ${g + 1}/${games.length}: ${positions} moves so far, move-match ${((matched / Math.max(1, positions)) * 100).toFixed(2)}%`,
      );
    }
  } finally {
    await engine.close();
  }
  const lat = latency(ms);
  log(`${command}`);
  log(
    `move-match through GTP: ${((matched / positions) * 100).toFixed(2)}% (${matched} of ${positions} moves, ${games.length - skipped} test games; ${skipped} games with other setup stones skipped)`,
  );
  if (lat) log(`genmove round trip: median ${lat.median.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms`);
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ engine: values.engine, positions, matched, moveMatch: matched / positions, games: games.length - skipped, skipped, genmoveMs: lat })}\n`,
    );
}

await main();
