import { DataError, Rng } from '@cnn-lab/core';
import { PAD_ID } from '../text/index.js';
import { VectorCacheWriter } from './cache.js';

/** Kim (2014): words without a pretrained vector start from U(-a, a), a chosen so their variance matches. */
export const UNKNOWN_WORD_RANGE = 0.25;

export interface EmbeddingMatrix {
  /** vocab.size x dim, row-major; row PAD_ID is zero. */
  data: Float32Array;
  dim: number;
  /** Vocabulary words that had a pretrained vector. */
  found: number;
}

/** One line of a GloVe (no header) or word2vec text file (first line "count dim"): the word and its vector. */
export function parseVectorLine(
  line: string,
  dim: number | undefined,
  file: string,
  lineNo: number,
): { word: string; vector: Float32Array } {
  const fields = line.trimEnd().split(' ');
  if (fields.length < 2)
    throw new DataError(file, `expected a word followed by numbers, got '${preview(line)}'`, lineNo);
  const d = dim ?? fields.length - 1;
  if (fields.length - 1 < d) {
    throw new DataError(file, `expected ${d} numbers after the word, got ${fields.length - 1}`, lineNo);
  }
  // A few GloVe releases have words with spaces in them: the numbers are always the last `d` fields.
  const word = fields.slice(0, fields.length - d).join(' ');
  const vector = new Float32Array(d);
  for (let i = 0; i < d; i++) {
    const raw = fields[fields.length - d + i] ?? '';
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v)) {
      throw new DataError(file, `value ${i + 1} of '${preview(word)}' is not a number: '${preview(raw)}'`, lineNo);
    }
    vector[i] = v;
  }
  return { word, vector };
}

/**
 * The vectors of a GloVe (no header) or word2vec text file (first line "count dim"), from its lines (`file` names
 * it in errors), collected for the cache. A word given twice keeps its first vector.
 */
export async function readTextVectors(
  lines: AsyncIterable<string> | Iterable<string>,
  file: string,
): Promise<VectorCacheWriter> {
  let dim: number | undefined;
  let writer: VectorCacheWriter | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    if (line.includes('\u0000') || line.includes('\uFFFD')) {
      throw new DataError(
        file,
        'not a text vector file (binary word2vec files are not supported; convert with gensim)',
        lineNo,
      );
    }
    if (lineNo === 1 && /^\s*\d+\s+\d+\s*$/.test(line)) {
      dim = Number(line.trim().split(/\s+/)[1]);
      continue;
    }
    const { word, vector } = parseVectorLine(line, dim, file, lineNo);
    dim ??= vector.length;
    if (vector.length !== dim) throw new DataError(file, `expected ${dim} numbers, got ${vector.length}`, lineNo);
    writer ??= new VectorCacheWriter(dim);
    writer.append(word, vector, `${file}:${lineNo}`);
  }
  if (!writer) throw new DataError(file, 'no vectors in the file');
  return writer;
}

/** The CNN-rand initialisation: every row U(-range, range) (Kim: 0.25), the padding row zero. */
export function randomEmbeddings(
  rows: number,
  dim: number,
  seed: number,
  range: number = UNKNOWN_WORD_RANGE,
): Float32Array {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-range, range);
  data.fill(0, PAD_ID * dim, (PAD_ID + 1) * dim);
  return data;
}

function preview(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
