/** Id 0 pads a sentence to the batch length; id 1 stands for every word the vocabulary does not hold. */
export const PAD_ID = 0;
export const UNK_ID = 1;
export const PAD = '<pad>';
export const UNK = '<unk>';

export interface VocabularyJson {
  words: string[];
  minCount: number;
}

/** A word <-> id map built from training sentences only, so that dev and test words can be unknown. */
export class Vocabulary {
  private readonly ids: Map<string, number>;

  private constructor(
    readonly words: readonly string[],
    readonly minCount: number,
  ) {
    this.ids = new Map(words.map((w, i) => [w, i]));
  }

  /**
   * Words seen at least `minCount` times, most frequent first (ties alphabetical, so the ids do not depend on
   * the order of the data); at most `maxSize` entries counting <pad> and <unk>.
   */
  static build(sentences: Iterable<readonly string[]>, opts: { minCount?: number; maxSize?: number } = {}): Vocabulary {
    const minCount = opts.minCount ?? 1;
    const counts = new Map<string, number>();
    for (const tokens of sentences) for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    const kept = [...counts]
      .filter(([w, c]) => c >= minCount && w !== PAD && w !== UNK)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([w]) => w);
    const limit = opts.maxSize === undefined ? kept.length : Math.max(0, opts.maxSize - 2);
    return new Vocabulary([PAD, UNK, ...kept.slice(0, limit)], minCount);
  }

  static fromJSON(json: unknown, source = 'vocabulary'): Vocabulary {
    const j = json as Partial<VocabularyJson> | null;
    if (!j || !Array.isArray(j.words) || !j.words.every((w) => typeof w === 'string')) {
      throw new Error(`${source}: expected { words: string[], minCount: number }`);
    }
    if (j.words[PAD_ID] !== PAD || j.words[UNK_ID] !== UNK) {
      throw new Error(`${source}: expected '${PAD}' and '${UNK}' as the first two words`);
    }
    if (new Set(j.words).size !== j.words.length) throw new Error(`${source}: a word appears twice`);
    return new Vocabulary(j.words, typeof j.minCount === 'number' ? j.minCount : 1);
  }

  toJSON(): VocabularyJson {
    return { words: [...this.words], minCount: this.minCount };
  }

  get size(): number {
    return this.words.length;
  }

  id(word: string): number {
    return this.ids.get(word) ?? UNK_ID;
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  word(id: number): string {
    return this.words[id] ?? UNK;
  }

  encode(tokens: readonly string[]): Int32Array {
    return Int32Array.from(tokens, (t) => this.id(t));
  }
}
