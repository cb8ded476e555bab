import { readFile } from 'node:fs/promises';
import { DataError } from '../cli/errors.js';

/** The file's bytes, or null when it does not exist; any other read failure is a DataError naming it. */
export async function readOptionalFile(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new DataError(path, 'is a folder; expected a file');
    throw new DataError(path, `cannot be read: ${(err as Error).message}`);
  }
}

/** Parses a JSON file; a missing file or bad JSON is a DataError naming it (`why` says why it should exist). */
export async function readJsonFile(path: string, why: string): Promise<unknown> {
  const bytes = await readOptionalFile(path);
  if (bytes === null) throw new DataError(path, `is missing: ${why}`);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = text.length === 0 ? 'the file is empty' : (err as Error).message;
    throw new DataError(path, `is not valid JSON (${hint})`);
  }
}
