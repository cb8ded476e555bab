// GTP for the search engine: the standard commands of play/gtp.ts, plus final_status_list,
// kgs-genmove_cleanup, time_settings, time_left and lz-analyze (Leela Zero's analysis stream, which
// Sabaki and Lizzie read: "=" at once, an "info move ..." line every interval, and the closing blank
// line when the next command arrives).
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { COMMANDS, GtpError, answer, parseColour, preprocess, vertexToString, type GtpEngine } from '../play/gtp.js';
import { BLACK, WHITE, type Player } from '../board/index.js';

/** What the GTP layer needs beyond GtpEngine. */
export interface AnalysingEngine extends GtpEngine {
  genmoveCleanup(colour: 'black' | 'white'): Promise<number | 'resign'>;
  finalScoreAsync(): Promise<string>;
  finalStatusList(status: string): Promise<string>;
  timeSettings(main: number, byoTime: number, byoStones: number): void;
  timeLeft(colour: 'black' | 'white', seconds: number, stones: number): void;
  analyze(player: Player, intervalMs: number, emit: (line: string) => void, stopped: () => boolean): Promise<void>;
  stopSearch(): void;
  readonly board: { toPlay: Player };
}

export const SEARCH_COMMANDS = [
  ...COMMANDS,
  'final_status_list',
  'kgs-genmove_cleanup',
  'time_settings',
  'time_left',
  'lz-analyze',
] as const;

/** Parse lz-analyze's arguments: an optional colour, an interval in centiseconds (or "interval <cs>"). */
export function parseAnalyzeArgs(args: string[], toPlay: Player): { player: Player; intervalMs: number } {
  let player = toPlay;
  let cs = 100;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^(b|w|black|white)$/i.test(a)) player = parseColour(a) === 'black' ? BLACK : WHITE;
    else if (a === 'interval' && i + 1 < args.length && /^\d+$/.test(args[i + 1]!)) cs = Number(args[++i]);
    else if (/^\d+$/.test(a)) cs = Number(a);
    else throw new GtpError(`syntax error: lz-analyze [colour] [interval in centiseconds], got '${a}'`);
  }
  return { player, intervalMs: Math.max(10, (cs > 0 ? cs : 100) * 10) };
}

const number = (s: string | undefined, what: string): number => {
  if (s === undefined || !/^\d+(\.\d+)?$/.test(s))
    throw new GtpError(`syntax error: ${what} must be a non-negative number`);
  return Number(s);
};

/**
 * Answer one line: the search's own commands here, the rest by play/gtp.ts. lz-analyze is answered
 * by the server loop (it streams); here it is an error.
 */
export async function answerSearch(
  engine: AnalysingEngine,
  raw: string,
): Promise<{ text: string; quit: boolean } | null> {
  const line = preprocess(raw);
  if (line === '') return null;
  const words = line.split(/ +/);
  const id = /^\d+$/.test(words[0]!) ? words.shift()! : '';
  const [command, ...args] = words;
  const ok = (s: string): { text: string; quit: boolean } => ({
    text: `=${id}${s === '' ? '' : ` ${s}`}\n\n`,
    quit: false,
  });
  try {
    switch (command) {
      case 'list_commands':
        return ok(SEARCH_COMMANDS.join('\n'));
      case 'known_command':
        return ok((SEARCH_COMMANDS as readonly string[]).includes(args[0] ?? '') ? 'true' : 'false');
      case 'final_score':
        return ok(await engine.finalScoreAsync());
      case 'final_status_list':
        if (args.length !== 1) throw new GtpError('syntax error: expected final_status_list alive|dead|seki');
        return ok(await engine.finalStatusList(args[0]!));
      case 'kgs-genmove_cleanup': {
        if (args.length !== 1) throw new GtpError('syntax error: expected kgs-genmove_cleanup <colour>');
        return ok(vertexToString(await engine.genmoveCleanup(parseColour(args[0])), engine.size));
      }
      case 'time_settings':
        if (args.length !== 3)
          throw new GtpError('syntax error: expected time_settings <main> <byo-yomi time> <byo-yomi stones>');
        engine.timeSettings(
          number(args[0], 'main time'),
          number(args[1], 'byo-yomi time'),
          number(args[2], 'byo-yomi stones'),
        );
        return ok('');
      case 'time_left': {
        if (args.length !== 3) throw new GtpError('syntax error: expected time_left <colour> <time> <stones>');
        engine.timeLeft(parseColour(args[0]), number(args[1], 'time'), number(args[2], 'stones'));
        return ok('');
      }
      case 'lz-analyze':
        throw new GtpError('lz-analyze streams: use serveSearchGtp');
      default:
        return answer(engine, raw);
    }
  } catch (err) {
    const message =
      err instanceof GtpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
    return { text: `?${id} ${message.replaceAll('\n', ' ')}\n\n`, quit: false };
  }
}

/** Serve GTP over the streams until quit or end of input; lz-analyze runs until the next line arrives. */
export async function serveSearchGtp(engine: AnalysingEngine, input: Readable, output: Writable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let analysis: { stop: boolean; done: Promise<void> } | null = null;
  const endAnalysis = async (): Promise<void> => {
    if (!analysis) return;
    analysis.stop = true;
    engine.stopSearch();
    await analysis.done;
    output.write('\n');
    analysis = null;
  };
  for await (const raw of lines) {
    await endAnalysis();
    const line = preprocess(raw);
    const words = line.split(/ +/);
    const id = /^\d+$/.test(words[0] ?? '') ? words.shift()! : '';
    if (words[0] === 'lz-analyze') {
      let parsed: { player: Player; intervalMs: number };
      try {
        parsed = parseAnalyzeArgs(words.slice(1), engine.board.toPlay);
      } catch (err) {
        output.write(`?${id} ${(err as Error).message}\n\n`);
        continue;
      }
      output.write(`=${id}\n`);
      const state: { stop: boolean; done: Promise<void> } = { stop: false, done: Promise.resolve() };
      state.done = engine
        .analyze(
          parsed.player,
          parsed.intervalMs,
          (l) => output.write(`${l}\n`),
          () => state.stop,
        )
        .catch((err: unknown) => {
          output.write(`info error ${(err as Error).message}\n`);
        });
      analysis = state;
      continue;
    }
    const reply = await answerSearch(engine, raw);
    if (!reply) continue;
    output.write(reply.text);
    if (reply.quit || words[0] === 'quit') break;
  }
  await endAnalysis();
  lines.close();
}
