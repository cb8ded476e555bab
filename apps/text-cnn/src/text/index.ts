export { cleanStr, cleanStrSst } from './clean.js';
export { TOKENIZERS, type TokenizerName, tokenize, isTokenizerName } from './tokenize.js';
export { PAD, UNK, PAD_ID, UNK_ID, Vocabulary, type VocabularyJson } from './vocabulary.js';
