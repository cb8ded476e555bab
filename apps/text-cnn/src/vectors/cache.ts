// The word-vector cache: one binary file per set of vectors, written once from the published file and read back
// a row at a time. Layout: "CNNVEC01", a uint32 (little-endian) header length, the header as JSON, the words
// (UTF-8, one a line, in the file's order: most frequent first), zero bytes up to a multiple of 4, then the
// vectors as a count x dim float32 matrix (little-endian), row i for word i.
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { rename, rm, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DataError } from '@cnn-lab/core';

const MAGIC = 'CNNVEC01';

export interface VectorCacheHeader {
  /** A name (glove-100d) or the file the vectors came from. */
  name: string;
  dim: number;
  count: number;
  /** Bytes of the word list. */
  wordBytes: number;
  /** Where the vectors came from, for people. */
  source: string;
}

/** The cache folder: $CNN_LAB_CACHE, else $XDG_CACHE_HOME/cnn-lab, else ~/.cache/cnn-lab; vectors in word-vectors/. */
export function vectorCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env['CNN_LAB_CACHE'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'cnn-lab');
  return join(root, 'word-vectors');
}

const BLOCK_ROWS = 1 << 16;

/**
 * Collects rows, by index (`set`, the wink file numbers its rows) or in order (`append`, a text file), and writes
 * the cache file, committed with a rename so that a half-written cache never stands under the final name.
 */
export class VectorCacheWriter {
  private readonly blocks: Float32Array[] = [];
  private readonly words: (string | undefined)[] = [];
  private readonly seen = new Set<string>();
  private filled = 0;
  /** Words met again after their first row (append skips them: a file's first vector for a word wins). */
  duplicates = 0;

  constructor(
    readonly dim: number,
    /** The number of rows when the source says it up front; `write` checks that every one was given. */
    readonly count?: number,
  ) {
    if (!(Number.isInteger(dim) && dim > 0)) throw new Error(`word vectors: bad width ${dim}`);
  }

  get size(): number {
    return this.words.length;
  }

  set(index: number, word: string, vector: ArrayLike<number>, where: string): void {
    const limit = this.count ?? Number.MAX_SAFE_INTEGER;
    if (!(Number.isInteger(index) && index >= 0 && index < limit))
      throw new DataError(where, `row ${index} of '${word.slice(0, 40)}' is outside 0..${limit - 1}`);
    if (this.words[index] !== undefined)
      throw new DataError(where, `row ${index} is given twice ('${this.words[index]}' and '${word.slice(0, 40)}')`);
    if (word.includes('\n')) throw new DataError(where, `a word with a line break in it (row ${index})`);
    if (vector.length < this.dim)
      throw new DataError(where, `'${word.slice(0, 40)}' has ${vector.length} values; expected ${this.dim}`);
    while (this.words.length <= index) this.words.push(undefined);
    this.words[index] = word;
    this.seen.add(word);
    const block = Math.floor(index / BLOCK_ROWS);
    while (this.blocks.length <= block) this.blocks.push(new Float32Array(BLOCK_ROWS * this.dim));
    const rows = this.blocks[block] as Float32Array;
    const at = (index % BLOCK_ROWS) * this.dim;
    for (let d = 0; d < this.dim; d++) rows[at + d] = vector[d] as number;
    this.filled++;
  }

  /** The next row; a word already given is skipped (counted in `duplicates`). */
  append(word: string, vector: ArrayLike<number>, where: string): void {
    if (this.seen.has(word)) {
      this.duplicates++;
      return;
    }
    this.set(this.words.length, word, vector, where);
  }

  /** A DataError naming `source` unless every row was given. */
  assertComplete(source: string): number {
    const count = this.count ?? this.words.length;
    if (count === 0) throw new DataError(source, 'no word vectors in it');
    if (this.filled !== count) {
      const missing = this.words.findIndex((w) => w === undefined);
      throw new DataError(
        source,
        `${count - this.filled} of ${count} rows never given (the first: row ${missing < 0 ? this.words.length : missing})`,
      );
    }
    return count;
  }

  async write(path: string, name: string, source: string): Promise<VectorCacheHeader> {
    const count = this.assertComplete(source);
    const wordBytes = Buffer.from(this.words.join('\n'), 'utf8');
    const header: VectorCacheHeader = { name, dim: this.dim, count, wordBytes: wordBytes.length, source };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const lengthBytes = Buffer.alloc(4);
    lengthBytes.writeUInt32LE(headerBytes.length);
    const before = MAGIC.length + 4 + headerBytes.length + wordBytes.length;
    const pad = Buffer.alloc((4 - (before % 4)) % 4);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      for (const part of [Buffer.from(MAGIC, 'latin1'), lengthBytes, headerBytes, wordBytes, pad]) await fh.write(part);
      for (let b = 0; b < this.blocks.length; b++) {
        const rows = Math.min(BLOCK_ROWS, count - b * BLOCK_ROWS);
        const block = this.blocks[b] as Float32Array;
        // Float32Array is little-endian on every platform Node runs on here (x86-64, arm64).
        await fh.write(new Uint8Array(block.buffer, block.byteOffset, rows * this.dim * 4));
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
    return header;
  }
}

/** An opened cache file: its header and word list in memory, rows read from disk on demand. */
export class VectorCache {
  private constructor(
    readonly path: string,
    readonly header: VectorCacheHeader,
    readonly words: readonly string[],
    private readonly matrixOffset: number,
  ) {}

  static open(path: string): VectorCache {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DataError(path, code === 'ENOENT' ? 'no such file (a word-vector cache)' : `cannot read (${code})`);
    }
    try {
      const size = statSync(path).size;
      const start = Buffer.alloc(MAGIC.length + 4);
      readSync(fd, start, 0, start.length, 0);
      if (start.toString('latin1', 0, MAGIC.length) !== MAGIC)
        throw new DataError(path, `not a word-vector cache (does not start with ${MAGIC})`);
      const headerLength = start.readUInt32LE(MAGIC.length);
      const headerBytes = Buffer.alloc(headerLength);
      readSync(fd, headerBytes, 0, headerLength, start.length);
      let header: VectorCacheHeader;
      try {
        header = JSON.parse(headerBytes.toString('utf8')) as VectorCacheHeader;
      } catch {
        throw new DataError(path, 'a word-vector cache with a damaged header; delete it and install again');
      }
      const wordsAt = start.length + headerLength;
      const wordBytes = Buffer.alloc(header.wordBytes);
      readSync(fd, wordBytes, 0, header.wordBytes, wordsAt);
      const afterWords = wordsAt + header.wordBytes;
      const matrixOffset = afterWords + ((4 - (afterWords % 4)) % 4);
      const expected = matrixOffset + header.count * header.dim * 4;
      if (size !== expected)
        throw new DataError(
          path,
          `is ${size} bytes; a ${header.count} x ${header.dim} cache is ${expected} (truncated? delete it and install again)`,
        );
      const words = wordBytes.toString('utf8').split('\n');
      if (words.length !== header.count)
        throw new DataError(path, `holds ${words.length} words; its header says ${header.count}`);
      return new VectorCache(path, header, words, matrixOffset);
    } finally {
      closeSync(fd);
    }
  }

  get dim(): number {
    return this.header.dim;
  }

  /**
   * The rows `indices` (into `words`), read from the file in ascending order, rows at most 4 KB apart in one read:
   * a vocabulary's words crowd the frequent first rows, while its rare words lie far apart in the rest of the file,
   * where reading the gaps would cost more than the calls it saves (28,000 rows for MR: 0.15-0.25 s of CPU).
   */
  readRows(indices: readonly number[]): Map<number, Float32Array> {
    const rows = new Map<number, Float32Array>();
    const rowBytes = this.dim * 4;
    const sorted = [...new Set(indices)].sort((a, b) => a - b);
    for (const i of sorted)
      if (!(Number.isInteger(i) && i >= 0 && i < this.header.count))
        throw new Error(`${this.path}: row ${i} is outside 0..${this.header.count - 1}`);
    const maxGapRows = Math.max(1, Math.floor((1 << 12) / rowBytes));
    const maxSpanRows = Math.max(1, Math.floor((1 << 24) / rowBytes));
    const fd = openSync(this.path, 'r');
    try {
      for (let s = 0; s < sorted.length;) {
        const first = sorted[s] as number;
        let e = s;
        while (
          e + 1 < sorted.length &&
          (sorted[e + 1] as number) - (sorted[e] as number) <= maxGapRows &&
          (sorted[e + 1] as number) - first < maxSpanRows
        )
          e++;
        const last = sorted[e] as number;
        const span = new Float32Array((last - first + 1) * this.dim);
        readSync(fd, new Uint8Array(span.buffer), 0, span.byteLength, this.matrixOffset + first * rowBytes);
        for (let k = s; k <= e; k++) {
          const at = ((sorted[k] as number) - first) * this.dim;
          rows.set(sorted[k] as number, span.subarray(at, at + this.dim));
        }
        s = e + 1;
      }
    } finally {
      closeSync(fd);
    }
    return rows;
  }
}
