// Who this app is, as written into saved models and messages, where its package lies, and the data it reads.
import { resolve } from 'node:path';

export const APP = 'text-cnn';
/** The package folder: the shipped model is models/default under it. */
export const APP_DIR = resolve(import.meta.dirname, '..');

/** The data folder under $CNN_LAB_DATA (or ../shared/datasets beside the checkout). */
export const DATA_SUB = 'text';
export const DATA_WHAT = 'the sentence sets of Kim (2014) (rt-polarity.all, stsa.*, subj.all, TREC.*.all)';
