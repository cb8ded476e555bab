import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isWithin, saveModelGroup } from '@cnn-lab/core';
import { APP } from '../app.js';
import { SpeechClassifier } from './classifier.js';
import { GROUP, memberFolders } from './folder.js';
import { loadMembers } from './load.js';

const HISTORY_PNG = 'history.png';

/**
 * Puts trained models (single models, or the members of ensembles) side by side in one ensemble folder `out`:
 * every member is loaded and checked to agree with the others on words and sample rate, then saved into `out` as
 * a model group (core's saveModelGroup: the manifest ensemble.json is renamed in last, so a run killed at any
 * point leaves the old model or the new one). Returns the member folders it was built from.
 */
export async function combineSpeechModels(dirs: readonly string[], out: string): Promise<string[]> {
  const sources = (await Promise.all(dirs.map((d) => memberFolders(d)))).flat();
  if (sources.length < 2) throw new RangeError('an ensemble needs at least 2 member models');
  // Once the new members are in, the old ones go: a source inside `out` would be gone.
  const inside = sources.find((src) => isWithin(out, src));
  if (inside) throw new RangeError(`${inside} lies inside the output folder ${out}; write the ensemble somewhere else`);
  const members = await loadMembers(sources);
  try {
    const [first, ...rest] = members;
    const classifier = new SpeechClassifier(first.model, first.info, rest);
    const { kind, labels } = classifier.info;
    const names = await saveModelGroup(
      out,
      // Each member keeps its own metadata (what saveModel adds, the hash and date, it writes afresh).
      members.map(
        ({ model, raw: { app: _app, version: _version, createdAt: _createdAt, weightsSha256: _hash, ...fields } }) => ({
          model,
          metadata: { app: APP, ...fields },
        }),
      ),
      { ...GROUP, fields: { app: APP, kind, labels, from: sources } },
    );
    // The learning curves are for people: copied beside each member, not part of its commit.
    for (const [k, m] of members.entries()) {
      if (existsSync(join(m.dir, HISTORY_PNG)))
        await copyFile(join(m.dir, HISTORY_PNG), join(out, names[k] as string, HISTORY_PNG));
    }
    return sources;
  } finally {
    for (const m of members) m.model.dispose();
  }
}
