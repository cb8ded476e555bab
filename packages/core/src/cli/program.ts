import { Command, CommanderError } from 'commander';
import { DataError, UsageError, exitCodeFor } from './errors.js';
import type { CommonOptions } from './options.js';
import { exitQuietlyOnClosedPipe } from './pipes.js';

/** What a verb's handler gets: its options, positional arguments, and where human output goes. */
export interface ActionContext<O> {
  opts: O;
  args: string[];
  json: boolean;
  /** Human-readable output: stdout normally, stderr under --json so stdout holds only the JSON line. */
  log: (message: string) => void;
}

/** The results a verb prints as its one JSON line (and nothing, when a verb has no results). */
export type ActionResult = Record<string, unknown> | void;

/** Writes the one JSON line that ends a --json command. */
export function printJsonLine(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The root command of an app's CLI. Usage errors exit 2 with commander's message. */
export function createProgram(name: string, description: string): Command {
  // exitOverride is inherited by verbs added later, so usage errors reach runProgram instead of exiting.
  return new Command(name).description(description).showHelpAfterError('(add --help for usage)').exitOverride();
}

type BackendInit = (opts: { backend?: string; quiet?: boolean }) => Promise<unknown>;

/** Loaded only when a verb runs, so `--help` stays instant and never touches TensorFlow.js. */
async function loadBackendInit(): Promise<BackendInit | undefined> {
  const mod = (await import('../backend/index.js')) as { initBackend?: BackendInit };
  return mod.initBackend;
}

export interface RunActionOptions {
  /** Verbs that touch no tensors (e.g. `data fetch`) skip backend start-up. */
  backend?: boolean;
}

/**
 * Wraps a verb's handler: starts the backend (honouring --backend), runs the handler, prints its
 * result as the one JSON line under --json, and turns errors into `error: ...` with exit code
 * 2 (usage) or 1 (data or anything else). Under --json the error is also the JSON line.
 */
export function runAction<O extends CommonOptions>(
  handler: (ctx: ActionContext<O>) => Promise<ActionResult>,
  options: RunActionOptions = {},
): (...actionArgs: unknown[]) => Promise<void> {
  return async (...actionArgs: unknown[]) => {
    const cmd = actionArgs[actionArgs.length - 1] as Command;
    const opts = cmd.opts<O>();
    const json = Boolean(opts.json);
    const log = json ? (m: string) => process.stderr.write(`${m}\n`) : (m: string) => process.stdout.write(`${m}\n`);
    const args = cmd.args.map(String);
    try {
      if (options.backend !== false) {
        const init = await loadBackendInit();
        if (init) await init({ backend: opts.backend, quiet: false });
      }
      const result = await handler({ opts, args, json, log });
      if (json) printJsonLine(result ?? {});
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`error: ${message}\n`);
      if (process.env.CNN_LAB_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      if (json) printJsonLine({ error: message, kind: err instanceof Error ? err.name : 'Error' });
      process.exitCode = exitCodeFor(err);
    }
  };
}

/**
 * Parses argv and runs the chosen verb; commander's own usage errors exit 2. A reader that closes the output
 * pipe early (`| head -1`) ends the process quietly (see exitQuietlyOnClosedPipe).
 */
export async function runProgram(program: Command, argv: string[] = process.argv): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version also come through here, with exit code 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}

export { DataError, UsageError };
