// Who this app is, as written into saved models and messages, where its package lies, and the data it reads.
import { resolve } from 'node:path';

export const APP = 'speech-cnn';
/** The package folder: the shipped model is models/default under it. */
export const APP_DIR = resolve(import.meta.dirname, '..');

/** The data folder under $CNN_LAB_DATA (or ../shared/datasets beside the checkout). */
export const DATA_SUB = 'speech/fsdd';
export const DATA_WHAT =
  "a folder of WAV files named '{label}_{speaker}_{take}.wav' (FSDD) or in one subfolder per label";
