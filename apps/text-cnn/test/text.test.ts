import { describe, expect, it } from 'vitest';
import { PAD_ID, UNK_ID, Vocabulary, cleanStr, cleanStrSst, tokenize } from '../src/text/index.js';

describe("Kim's clean_str", () => {
  it('splits clitics and punctuation and lower-cases, as process_data.py does', () => {
    expect(cleanStr("It's a (great) film, isn't it? I'd say we'll see!")).toBe(
      "it 's a ( great ) film , is n't it ? i 'd say we 'll see !",
    );
    expect(cleanStr('They\'ve been; you\'re "here"')).toBe("they 've been you 're here");
  });

  it("drops characters outside [A-Za-z0-9(),!?'`] and squeezes spaces", () => {
    expect(cleanStr('  café -- 100% 3.5 stars\t`ok`  ')).toBe('caf 100 3 5 stars `ok`');
  });

  it('keeps case for TREC', () => {
    expect(cleanStr('How did serfdom develop in Russia ?', true)).toBe('How did serfdom develop in Russia ?');
  });

  it('clean_str_sst only filters characters and lower-cases (SST is already tokenised)', () => {
    expect(cleanStrSst("It wo n't -- REALLY -- work , ok?")).toBe("it wo n't really work , ok?");
  });

  it('tokenizes raw text with natural (treebank) and keeps what clean_str keeps', () => {
    expect(tokenize("Don't panic: it's FINE!", 'treebank')).toEqual(['do', "n't", 'panic', 'it', "'s", 'fine', '!']);
    expect(tokenize('', 'kim')).toEqual([]);
  });
});

describe('Vocabulary', () => {
  const sentences = [
    ['good', 'film'],
    ['bad', 'film'],
    ['film', 'good'],
  ];

  it('reserves 0 for padding and 1 for unknown words, most frequent words next', () => {
    const v = Vocabulary.build(sentences);
    expect(v.word(PAD_ID)).toBe('<pad>');
    expect(v.word(UNK_ID)).toBe('<unk>');
    expect(v.words.slice(2)).toEqual(['film', 'good', 'bad']);
    expect([...v.encode(['good', 'awful', 'film'])]).toEqual([3, UNK_ID, 2]);
  });

  it('drops rare words with minCount and caps the size with maxSize', () => {
    expect(Vocabulary.build(sentences, { minCount: 2 }).words).toEqual(['<pad>', '<unk>', 'film', 'good']);
    expect(Vocabulary.build(sentences, { maxSize: 3 }).words).toEqual(['<pad>', '<unk>', 'film']);
  });

  it('round-trips through JSON and rejects a file that is not a vocabulary', () => {
    const v = Vocabulary.build(sentences);
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(back.words).toEqual(v.words);
    expect(() => Vocabulary.fromJSON({ words: ['a', 'b'] }, 'x/vocab.json')).toThrow(/x\/vocab.json.*'<pad>'/);
    expect(() => Vocabulary.fromJSON(null, 'v.json')).toThrow(/v.json/);
  });
});
