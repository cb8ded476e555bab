// A streaming reader for wink-embeddings' one-file JSON: {"dimensions":100, ..., "vectors":{"the":[v1..v100,
// l2norm, index], ...}}. The 307 MB file is read once, a chunk at a time, and never held as a string: each
// vector is handed on as soon as its closing bracket arrives.
import { DataError } from '@cnn-lab/core';

export interface WinkHeader {
  dimensions: number;
  size: number;
  /** Where in each array the word's row number stands (its rank in the file's word list). */
  wordIndex: number;
}

export type OnVector = (word: string, values: Float64Array, count: number, header: WinkHeader) => void;

/** The bytes the reader looks at. */
const C = {
  Quote: 0x22,
  Backslash: 0x5c,
  Comma: 0x2c,
  Colon: 0x3a,
  OpenBrace: 0x7b,
  CloseBrace: 0x7d,
  OpenBracket: 0x5b,
  CloseBracket: 0x5d,
  Minus: 0x2d,
  Plus: 0x2b,
  Dot: 0x2e,
  Zero: 0x30,
  Nine: 0x39,
  LowerE: 0x65,
  UpperE: 0x45,
} as const;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

interface Frame {
  kind: 'object' | 'array';
  /** The key this container is the value of (objects' members), '' for array items and the root. */
  key: string;
}

/**
 * Feeds bytes of a wink-embeddings JSON file and calls `onVector` for each entry of its "vectors" object. Numbers
 * are parsed straight from the bytes (mantissa and decimal exponent), strings decoded only for keys.
 */
export class WinkJsonReader {
  private readonly stack: Frame[] = [];
  private expectKey = false;
  private key = '';
  private readonly header: Partial<WinkHeader> = {};
  // string state
  private inString = false;
  private escaped = false;
  private stringBytes = new Uint8Array(256);
  private stringLength = 0;
  private stringHasEscape = false;
  // number state
  private inNumber = false;
  private numNegative = false;
  private numMantissa = 0;
  private numDigits = 0;
  private numFraction = -1; // digits after the point, -1 before it
  private numExponent = false;
  /** An exponent or more than 15 digits: parsed from the text instead. */
  private numSlow = false;
  private numStart = 0;
  private numCarry = '';
  // literal (true/false/null)
  private literal = '';
  // the current vector
  private values = new Float64Array(128);
  private count = 0;
  private offset = 0;
  vectors = 0;

  constructor(
    private readonly file: string,
    private readonly onVector: OnVector,
  ) {}

  private fail(why: string): never {
    throw new DataError(this.file, `not a wink-embeddings JSON file: ${why} (near byte ${this.offset})`);
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          this.addStringByte(b);
        } else if (b === C.Backslash) {
          this.escaped = true;
          this.stringHasEscape = true;
          this.addStringByte(b);
        } else if (b === C.Quote) {
          this.inString = false;
          this.onString();
        } else this.addStringByte(b);
        continue;
      }
      if (this.inNumber) {
        if (b >= C.Zero && b <= C.Nine) {
          if (this.numExponent) continue;
          if (this.numDigits < 15) {
            this.numMantissa = this.numMantissa * 10 + (b - C.Zero);
            this.numDigits++;
            if (this.numFraction >= 0) this.numFraction++;
          } else this.numSlow = true;
          continue;
        }
        if (b === C.Dot && this.numFraction < 0 && !this.numExponent) {
          this.numFraction = 0;
          continue;
        }
        if (b === C.LowerE || b === C.UpperE || ((b === C.Minus || b === C.Plus) && this.numExponent)) {
          this.numExponent = true;
          this.numSlow = true;
          continue;
        }
        this.inNumber = false;
        this.onNumber(chunk, i);
        // fall through: this byte is punctuation or space
      }
      if (this.literal !== '') {
        if (b >= 0x61 && b <= 0x7a) {
          this.literal += String.fromCharCode(b);
          continue;
        }
        if (!['true', 'false', 'null'].includes(this.literal)) this.fail(`unexpected '${this.literal}'`);
        this.onScalar(this.literal === 'null' ? null : this.literal === 'true');
        this.literal = '';
      }
      switch (b) {
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          break;
        case C.Quote:
          this.inString = true;
          this.stringLength = 0;
          this.stringHasEscape = false;
          break;
        case C.OpenBrace:
          this.open('object');
          break;
        case C.OpenBracket:
          this.open('array');
          break;
        case C.CloseBrace:
        case C.CloseBracket:
          this.close(b === C.CloseBrace ? 'object' : 'array');
          break;
        case C.Colon:
          if (!this.expectKey || this.top()?.kind !== 'object') this.fail("unexpected ':'");
          this.expectKey = false;
          break;
        case C.Comma:
          if (this.top()?.kind === 'object') this.expectKey = true;
          break;
        default:
          if (b === C.Minus || (b >= C.Zero && b <= C.Nine)) {
            this.inNumber = true;
            this.numNegative = b === C.Minus;
            this.numMantissa = b === C.Minus ? 0 : b - C.Zero;
            this.numDigits = b === C.Minus ? 0 : 1;
            this.numFraction = -1;
            this.numExponent = false;
            this.numSlow = false;
            this.numStart = i;
            this.numCarry = '';
          } else if (b >= 0x61 && b <= 0x7a) this.literal = String.fromCharCode(b);
          else this.fail(`unexpected character '${String.fromCharCode(b)}'`);
      }
    }
    // A number cut by the chunk's end: keep its text so far for the slow path and for messages.
    if (this.inNumber) {
      this.numCarry += latin1(chunk, this.numStart, n);
      this.numStart = 0;
    }
    this.offset += n;
  }

  /** Call after the last chunk: checks that the document was complete and says what it held. */
  end(): WinkHeader & { vectors: number } {
    if (this.inNumber) {
      this.inNumber = false;
      this.onNumber(new Uint8Array(0), 0);
    }
    if (this.inString || this.stack.length > 0) this.fail('the file ends inside the JSON document (truncated?)');
    const h = this.checkedHeader();
    if (this.vectors === 0) this.fail('no "vectors" entries');
    return { ...h, vectors: this.vectors };
  }

  private checkedHeader(): WinkHeader {
    const { dimensions, size, wordIndex } = this.header;
    if (dimensions === undefined || size === undefined) this.fail('no "dimensions" and "size" fields before "vectors"');
    return { dimensions, size, wordIndex: wordIndex ?? dimensions + 1 };
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private inVector(): boolean {
    const s = this.stack;
    return s.length === 3 && s[2]?.kind === 'array' && s[1]?.key === 'vectors';
  }

  private open(kind: 'object' | 'array'): void {
    const parent = this.top();
    const key = parent?.kind === 'object' ? this.key : '';
    if (parent?.kind === 'object' && this.expectKey) this.fail(`a ${kind} where a key should be`);
    this.stack.push({ kind, key });
    this.expectKey = kind === 'object';
    if (this.inVector()) {
      if (this.stack.length === 3 && this.header.dimensions === undefined) this.checkedHeader();
      this.count = 0;
    }
  }

  private close(kind: 'object' | 'array'): void {
    const frame = this.top();
    if (frame?.kind !== kind) this.fail(`unexpected '${kind === 'object' ? '}' : ']'}'`);
    if (this.inVector()) {
      this.vectors++;
      this.onVector(frame.key, this.values, this.count, this.checkedHeader());
    }
    this.stack.pop();
    this.expectKey = false;
  }

  private addStringByte(b: number): void {
    if (this.stringLength === this.stringBytes.length) {
      const bigger = new Uint8Array(this.stringBytes.length * 2);
      bigger.set(this.stringBytes);
      this.stringBytes = bigger;
    }
    this.stringBytes[this.stringLength++] = b;
  }

  private onString(): void {
    const top = this.top();
    if (top?.kind === 'object' && this.expectKey) {
      const raw = new TextDecoder().decode(this.stringBytes.subarray(0, this.stringLength));
      try {
        this.key = this.stringHasEscape ? (JSON.parse(`"${raw}"`) as string) : raw;
      } catch {
        this.fail(`a bad string escape in key '${raw.slice(0, 40)}'`);
      }
      return;
    }
    if (this.inVector()) this.fail(`a string in the vector of '${top?.key ?? ''}'`);
  }

  /** The number that ends at `chunk[end]`; its text is built only for the slow path and for messages. */
  private onNumber(chunk: Uint8Array, end: number): void {
    let v: number;
    if (this.numSlow || this.numDigits === 0 || this.numFraction === 0) {
      const text = this.numCarry + latin1(chunk, this.numStart, end);
      v = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(v)) this.fail(`bad number '${text.slice(0, 30)}'`);
    } else {
      v = this.numFraction > 0 ? this.numMantissa / (POW10[this.numFraction] as number) : this.numMantissa;
      if (this.numNegative) v = -v;
    }
    this.onScalar(v);
  }

  private onScalar(v: number | boolean | null): void {
    if (this.inVector()) {
      if (typeof v !== 'number') this.fail(`a non-number in the vector of '${this.top()?.key ?? ''}'`);
      if (this.count === this.values.length) {
        const bigger = new Float64Array(this.values.length * 2);
        bigger.set(this.values);
        this.values = bigger;
      }
      this.values[this.count++] = v;
      return;
    }
    if (this.stack.length === 1 && typeof v === 'number') {
      if (this.key === 'dimensions') this.header.dimensions = v;
      else if (this.key === 'size') this.header.size = v;
      else if (this.key === 'wordIndex') this.header.wordIndex = v;
    }
  }
}
