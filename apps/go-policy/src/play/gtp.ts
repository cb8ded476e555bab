// The Go Text Protocol, version 2 (https://www.lysator.liu.se/~gunnar/gtp/gtp2-spec-draft2/gtp2-spec.html):
// line preprocessing, ids, vertices and colours, and the standard replies. The Go itself is behind
// the GtpEngine interface, so this module only speaks the protocol. Engines that can do more (the
// search) add final_status_list, kgs-genmove_cleanup, time_settings, time_left and lz-analyze, Leela
// Zero's analysis stream that Sabaki and Lizzie read: "=" at once, an "info move ..." line every
// interval, and the closing empty line when the next command arrives.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { BLACK, WHITE, formatVertex, parseVertex as parseBoardVertex } from '../board/index.js';
import type { Move, Player } from '../board/index.js';

export type Colour = 'black' | 'white';
/** A point index (row * size + col, row 0 at the top) or PASS, as the board module numbers them. */
export type { Move };
/** What GTP needs from a Go player; errors it throws become `? message` replies. */
export interface GtpEngine {
  readonly name: string;
  readonly version: string;
  readonly size: number;
  setSize(size: number): void;
  clear(): void;
  setKomi(komi: number): void;
  play(colour: Colour, move: Move): void;
  genmove(colour: Colour): Promise<Move | 'resign'>;
  undo(): void;
  showboard(): string;
  finalScore(): string | Promise<string>;
  fixedHandicap(stones: number): Move[];
  /** The player to move (the default colour of lz-analyze). */
  readonly toPlay?: Player;
  // Optional commands: an engine without them answers "unknown command" and does not list them.
  /** kgs-genmove_cleanup: like genmove, but capture the dead stones before passing. */
  genmoveCleanup?(colour: Colour): Promise<Move | 'resign'>;
  /** final_status_list alive|dead|seki: vertices, space separated. */
  finalStatusList?(status: string): Promise<string>;
  timeSettings?(mainTime: number, byoYomiTime: number, byoYomiStones: number): void;
  timeLeft?(colour: Colour, seconds: number, stones: number): void;
  /** lz-analyze: call `emit` with one "info move ..." line per interval until `stopped()`. */
  analyze?(player: Player, intervalMs: number, emit: (line: string) => void, stopped: () => boolean): Promise<void>;
  /** Cut a running search short (its result still comes back). */
  stopSearch?(): void;
}

/** An error whose message is exactly the GTP failure text (e.g. "illegal move"). */
export class GtpError extends Error {
  override name = 'GtpError';
}

export const COMMANDS = [
  'protocol_version',
  'name',
  'version',
  'known_command',
  'list_commands',
  'quit',
  'boardsize',
  'clear_board',
  'komi',
  'play',
  'genmove',
  'undo',
  'showboard',
  'final_score',
  'fixed_handicap',
] as const;

/** The optional commands, each with the engine method it needs. */
const OPTIONAL: readonly [string, keyof GtpEngine][] = [
  ['final_status_list', 'finalStatusList'],
  ['kgs-genmove_cleanup', 'genmoveCleanup'],
  ['time_settings', 'timeSettings'],
  ['time_left', 'timeLeft'],
  ['lz-analyze', 'analyze'],
];

/** The commands `engine` answers: the standard ones and the optional ones it implements. */
export function commandsOf(engine: GtpEngine): string[] {
  return [...COMMANDS, ...OPTIONAL.filter(([, m]) => typeof engine[m] === 'function').map(([c]) => c)];
}

export function vertexToString(move: Move | 'resign', size: number): string {
  return move === 'resign' ? move : formatVertex(move, size);
}

/** Parses a GTP vertex ("D4", "pass"); a GtpError for anything else or a point off the board. */
export function parseVertex(text: string | undefined, size: number): Move {
  if (text === undefined) throw new GtpError('syntax error: missing vertex');
  try {
    return parseBoardVertex(text, size);
  } catch (err) {
    throw new GtpError(`syntax error: ${err instanceof Error ? err.message : 'invalid vertex'}`);
  }
}

export function parseColour(text: string | undefined): Colour {
  const t = text?.toLowerCase();
  if (t === 'b' || t === 'black') return 'black';
  if (t === 'w' || t === 'white') return 'white';
  throw new GtpError(`syntax error: invalid colour '${text ?? ''}'`);
}

/** GTP's preprocessing: control characters dropped, tabs as spaces, comments cut; empty means skip. */
export function preprocess(line: string): string {
  let s = '';
  for (const ch of line) {
    const c = ch.charCodeAt(0);
    if (ch === '\t') s += ' ';
    else if (c < 32 || c === 127) continue;
    else s += ch;
  }
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  return s.trim();
}

export interface Reply {
  text: string;
  quit: boolean;
}

/** Answers one raw input line; null for a line GTP says to ignore (empty or a comment). */
export async function answer(engine: GtpEngine, raw: string): Promise<Reply | null> {
  const line = preprocess(raw);
  if (line === '') return null;
  const words = line.split(/ +/);
  let id = '';
  if (/^\d+$/.test(words[0] as string)) id = words.shift() as string;
  const command = words[0];
  const args = words.slice(1);
  if (command === undefined) return { text: `?${id} syntax error: an id without a command\n\n`, quit: false };
  try {
    const result = await run(engine, command, args);
    return { text: `=${id}${result === '' ? '' : ` ${result}`}\n\n`, quit: command === 'quit' };
  } catch (err) {
    const message =
      err instanceof GtpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
    return { text: `?${id} ${message.replaceAll('\n', ' ')}\n\n`, quit: false };
  }
}

function expectArgs(args: string[], n: number, usage: string): void {
  if (args.length !== n) throw new GtpError(`syntax error: expected ${usage}`);
}

async function run(engine: GtpEngine, command: string, args: string[]): Promise<string> {
  switch (command) {
    case 'protocol_version':
      return '2';
    case 'name':
      return engine.name;
    case 'version':
      return engine.version;
    case 'known_command':
      expectArgs(args, 1, 'known_command <command>');
      return commandsOf(engine).includes(args[0] as string) ? 'true' : 'false';
    case 'list_commands':
      return commandsOf(engine).join('\n');
    case 'quit':
      return '';
    case 'boardsize': {
      expectArgs(args, 1, 'boardsize <size>');
      const size = Number(args[0]);
      if (!/^\d+$/.test(args[0] as string)) throw new GtpError('syntax error: boardsize expects an integer');
      try {
        engine.setSize(size);
      } catch {
        throw new GtpError('unacceptable size');
      }
      return '';
    }
    case 'clear_board':
      engine.clear();
      return '';
    case 'komi': {
      expectArgs(args, 1, 'komi <float>');
      const komi = Number(args[0]);
      if (!Number.isFinite(komi) || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(args[0] as string)) {
        throw new GtpError('syntax error: komi expects a number');
      }
      engine.setKomi(komi);
      return '';
    }
    case 'play': {
      expectArgs(args, 2, 'play <colour> <vertex>');
      const colour = parseColour(args[0]);
      const move = parseVertex(args[1], engine.size);
      engine.play(colour, move);
      return '';
    }
    case 'genmove': {
      expectArgs(args, 1, 'genmove <colour>');
      const move = await engine.genmove(parseColour(args[0]));
      return vertexToString(move, engine.size);
    }
    case 'undo':
      engine.undo();
      return '';
    case 'showboard':
      return `\n${engine.showboard()}`;
    case 'final_score':
      return await engine.finalScore();
    case 'final_status_list':
      if (!engine.finalStatusList) break;
      expectArgs(args, 1, 'final_status_list alive|dead|seki');
      return engine.finalStatusList(args[0] as string);
    case 'kgs-genmove_cleanup': {
      if (!engine.genmoveCleanup) break;
      expectArgs(args, 1, 'kgs-genmove_cleanup <colour>');
      return vertexToString(await engine.genmoveCleanup(parseColour(args[0])), engine.size);
    }
    case 'time_settings':
      if (!engine.timeSettings) break;
      expectArgs(args, 3, 'time_settings <main time> <byo-yomi time> <byo-yomi stones>');
      engine.timeSettings(
        seconds(args[0], 'main time'),
        seconds(args[1], 'byo-yomi time'),
        count(args[2], 'byo-yomi stones'),
      );
      return '';
    case 'time_left':
      if (!engine.timeLeft) break;
      expectArgs(args, 3, 'time_left <colour> <time> <stones>');
      engine.timeLeft(parseColour(args[0]), seconds(args[1], 'time'), count(args[2], 'stones'));
      return '';
    case 'lz-analyze':
      if (!engine.analyze) break;
      throw new GtpError('lz-analyze streams its answer: it is served by serveGtp');
    case 'fixed_handicap': {
      expectArgs(args, 1, 'fixed_handicap <number of stones>');
      if (!/^\d+$/.test(args[0] as string)) throw new GtpError('syntax error: fixed_handicap expects an integer');
      return engine
        .fixedHandicap(Number(args[0]))
        .map((v) => vertexToString(v, engine.size))
        .join(' ');
    }
  }
  throw new GtpError('unknown command');
}

function seconds(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text))
    throw new GtpError(`syntax error: ${what} must be a number of seconds`);
  return Number(text);
}

function count(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new GtpError(`syntax error: ${what} must be an integer`);
  return Number(text);
}

/**
 * lz-analyze's arguments as Leela Zero and KataGo take them: an optional colour and an interval in
 * centiseconds, bare or after the word "interval" (e.g. "lz-analyze b 50", "lz-analyze interval 100").
 */
export function parseAnalyzeArgs(args: readonly string[], toPlay: Player): { player: Player; intervalMs: number } {
  let player = toPlay;
  let centiseconds = 100;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (/^(b|w|black|white)$/i.test(a)) player = parseColour(a) === 'black' ? BLACK : WHITE;
    else if (a === 'interval' && /^\d+$/.test(args[i + 1] ?? '')) centiseconds = Number(args[++i]);
    else if (/^\d+$/.test(a)) centiseconds = Number(a);
    else throw new GtpError(`syntax error: expected lz-analyze [colour] [interval in centiseconds], got '${a}'`);
  }
  return { player, intervalMs: (centiseconds > 0 ? centiseconds : 100) * 10 };
}

/**
 * Serves GTP over a pair of streams until `quit` or the end of the input. lz-analyze (for an engine
 * that can analyse) answers "=" at once and streams until the next line arrives.
 */
export async function serveGtp(engine: GtpEngine, input: Readable, output: Writable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let analysis: { stop: boolean; done: Promise<void> } | null = null;
  const endAnalysis = async (): Promise<void> => {
    if (!analysis) return;
    analysis.stop = true;
    engine.stopSearch?.();
    await analysis.done;
    output.write('\n');
    analysis = null;
  };
  for await (const raw of lines) {
    await endAnalysis();
    const words = preprocess(raw).split(/ +/);
    const id = /^\d+$/.test(words[0] as string) ? (words.shift() as string) : '';
    if (words[0] === 'lz-analyze' && engine.analyze) {
      let parsed: { player: Player; intervalMs: number };
      try {
        parsed = parseAnalyzeArgs(words.slice(1), engine.toPlay ?? BLACK);
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
          (line) => output.write(`${line}\n`),
          () => state.stop,
        )
        .catch((err: unknown) => void output.write(`info error ${err instanceof Error ? err.message : String(err)}\n`));
      analysis = state;
      continue;
    }
    const reply = await answer(engine, raw);
    if (!reply) continue;
    output.write(reply.text);
    if (reply.quit) break;
  }
  await endAnalysis();
  lines.close();
}
