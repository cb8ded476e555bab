/**
 * The label of the class that holds everything that is not one of the words: other words, noise. A model trained
 * with it (`train --unknown DIR`) answers "not a word it knows" by itself; the name cannot clash with a folder's
 * word, since it is added by the flag and never read from a file name.
 */
export const UNKNOWN = '_unknown_';

/** One recording in a dataset: where it is, what word it holds, who said it. */
export interface Entry {
  /** Path relative to the dataset folder, with '/' separators. */
  path: string;
  label: string;
  speaker?: string;
  take?: number;
}

export interface Skipped {
  path: string;
  reason: string;
}

/** FSDD's naming: `{label}_{speaker}_{take}.wav`, e.g. `7_jackson_32.wav`. */
const FSDD_NAME = /^([^_/]+)_([^_/]+)_(\d+)\.wav$/i;

export function parseFsddName(name: string): { label: string; speaker: string; take: number } | undefined {
  const m = FSDD_NAME.exec(name);
  if (!m) return undefined;
  return { label: m[1] as string, speaker: m[2] as string, take: Number(m[3]) };
}

/**
 * The label of a WAV file: its subfolder's name (`yes/abc.wav`), else FSDD's filename pattern. A file inside a
 * subfolder that also matches the FSDD pattern keeps the folder as label and takes speaker and take from its name.
 */
export function entryFor(path: string): Entry | Skipped {
  const parts = path.split('/');
  const name = parts[parts.length - 1] as string;
  if (!/\.wav$/i.test(name)) return { path, reason: 'not a .wav file' };
  const fsdd = parseFsddName(name);
  if (parts.length >= 2) {
    const folder = parts[parts.length - 2] as string;
    return fsdd ? { path, label: folder, speaker: fsdd.speaker, take: fsdd.take } : { path, label: folder };
  }
  if (fsdd) return { path, ...fsdd };
  return {
    path,
    reason: "no label: expected a subfolder named for the label or a name like '{label}_{speaker}_{take}.wav'",
  };
}

export function isEntry(e: Entry | Skipped): e is Entry {
  return 'label' in e;
}

/** Labels in a stable order: numbers numerically, then words alphabetically. */
export function sortLabels(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Sorts paths into labelled entries and files that cannot be used (with why), both in path order. */
export function labelEntries(paths: readonly string[]): { entries: Entry[]; skipped: Skipped[] } {
  const entries: Entry[] = [];
  const skipped: Skipped[] = [];
  for (const p of [...paths].sort()) {
    const e = entryFor(p);
    if (isEntry(e)) entries.push(e);
    else skipped.push(e);
  }
  return { entries, skipped };
}
