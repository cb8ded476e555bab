import { modelGroupMembers } from '@cnn-lab/core';

/**
 * A speech model folder holds one network (core's layout) or an ensemble: one such folder per member and
 * `ensemble.json`, the manifest listing them (core's model groups: the manifest is the group's commit point).
 */
export const ENSEMBLE_JSON = 'ensemble.json';
export const GROUP = { manifest: ENSEMBLE_JSON, prefix: 'member' } as const;

/** The single-model folders a speech model folder holds: its ensemble's members, or itself. */
export async function memberFolders(dir: string): Promise<string[]> {
  return (await modelGroupMembers(dir, GROUP)) ?? [dir];
}
