// The Go Text Protocol, version 2 (https://www.lysator.liu.se/~gunnar/gtp/gtp2-spec-draft2/gtp2-spec.html):
// line preprocessing, ids, vertices and colours, and the standard replies. The Go itself is behind
// the GtpEngine interface, so this module only speaks the protocol.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { formatVertex, parseVertex as parseBoardVertex } from '../board/index.js';
import type { Move } from '../board/index.js';

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
  finalScore(): string;
  fixedHandicap(stones: number): Move[];
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
    const message = err instanceof GtpError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
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
      return (COMMANDS as readonly string[]).includes(args[0] as string) ? 'true' : 'false';
    case 'list_commands':
      return COMMANDS.join('\n');
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
      return engine.finalScore();
    case 'fixed_handicap': {
      expectArgs(args, 1, 'fixed_handicap <number of stones>');
      if (!/^\d+$/.test(args[0] as string)) throw new GtpError('syntax error: fixed_handicap expects an integer');
      return engine
        .fixedHandicap(Number(args[0]))
        .map((v) => vertexToString(v, engine.size))
        .join(' ');
    }
    default:
      throw new GtpError('unknown command');
  }
}

/** Serves GTP over a pair of streams until `quit` or the end of the input. */
export async function serveGtp(engine: GtpEngine, input: Readable, output: Writable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const raw of lines) {
    const reply = await answer(engine, raw);
    if (!reply) continue;
    output.write(reply.text);
    if (reply.quit) break;
  }
  lines.close();
}
