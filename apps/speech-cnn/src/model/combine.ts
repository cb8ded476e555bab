import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_JSON, isWithin, writeFileAtomic, type MetadataFields } from '@cnn-lab/core';
import { SpeechClassifier } from './classifier.js';
import { ENSEMBLE_JSON, clearFolder, memberFolders } from './folder.js';
import { loadMembers } from './load.js';

/** A member folder `combineSpeechModels` was still copying. */
const PARTIAL = /^member-\d+\.partial$/;

/**
 * Puts trained models (single models, or the members of ensembles) side by side in one ensemble folder `out`:
 * every member is checked to load and to agree with the others on words and sample rate, then its files are
 * copied into `out` and renamed to `member-<k>/` once all are there, and `ensemble.json` is written last. Returns
 * the member folders it was built from.
 */
export async function combineSpeechModels(dirs: readonly string[], out: string, fields: MetadataFields = {}): Promise<string[]> {
  const sources = dirs.flatMap((d) => memberFolders(d));
  if (sources.length < 2) throw new RangeError('an ensemble needs at least 2 member models');
  // Writing `out` first clears its members: a source inside it would be gone before it is copied.
  const inside = sources.find((src) => isWithin(out, src));
  if (inside) throw new RangeError(`${inside} lies inside the output folder ${out}; write the ensemble somewhere else`);
  const [first, ...rest] = await loadMembers(sources);
  const classifier = new SpeechClassifier(first.model, first.info, rest);
  for (const m of classifier.members) m.model.dispose();
  const names = sources.map((_, k) => `member-${k + 1}`);
  // The members are copied beside the old model first and swapped in by renames, so a run killed while copying
  // leaves the old model whole (and `member-<k>.partial` folders, which the next run removes).
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (PARTIAL.test(name)) rmSync(join(out, name), { recursive: true, force: true });
  const staged = sources.map((src, k) => {
    const dest = join(out, `${names[k] as string}.partial`);
    mkdirSync(dest);
    // Every file of the saved model (its weights, model.json, metadata, learning curves); not its checkpoints.
    const files = readdirSync(src, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name);
    // model.json last: a member folder holding it is whole.
    for (const f of [...files.filter((f) => f !== MODEL_JSON), MODEL_JSON]) copyFileSync(join(src, f), join(dest, f));
    return dest;
  });
  clearFolder(out, 'ensemble');
  staged.forEach((dest, k) => renameSync(dest, join(out, names[k] as string)));
  const { kind, labels } = classifier.info;
  await writeFileAtomic(join(out, ENSEMBLE_JSON), `${JSON.stringify({ app: 'speech-cnn', kind, labels, ...fields, members: names, from: sources, createdAt: new Date().toISOString() }, null, 2)}\n`);
  return sources;
}
