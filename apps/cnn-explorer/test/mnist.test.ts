import { describe, expect, it } from 'vitest';
import { digitImage, shiftDigit, splitDigits } from '../src/mnist/digits.js';
import { digitsFromPackage } from '../src/mnist/mnist-package.js';

/** A stand-in for the `mnist` package: `perClass` images per digit, each filled with its digit / 10. */
function fakePackage(perClass: number) {
  return Array.from({ length: 10 }, (_, d) => ({ raw: new Array<number>(perClass * 784).fill(d / 10) }));
}

describe('mnist data', () => {
  it('flattens the package into images and labels', () => {
    const set = digitsFromPackage(fakePackage(3));
    expect(set.count).toBe(30);
    expect(set.images.length).toBe(30 * 784);
    expect(Array.from(set.labels.slice(0, 4))).toEqual([0, 0, 0, 1]);
    expect(digitImage(set, 4)[100]).toBeCloseTo(0.1);
  });

  it('refuses a package with a broken digit array, naming the digit', () => {
    const pkg = fakePackage(2);
    pkg[7] = { raw: new Array<number>(100).fill(0) };
    expect(() => digitsFromPackage(pkg)).toThrow(/digit 7 holds 100 values/);
  });

  it('splits without overlap, stratified, and repeats for the same seed', () => {
    const set = digitsFromPackage(fakePackage(20));
    const a = splitDigits(set, { testFraction: 0.2, validationFraction: 0.1, seed: 5 });
    expect([a.train.count, a.validation.count, a.test.count]).toEqual([140, 20, 40]);
    for (let d = 0; d < 10; d++) expect(a.test.labels.filter((l) => l === d).length).toBe(4);
    // Every image's value identifies its label, so label/image pairs must stay together.
    for (let i = 0; i < a.test.count; i++) expect(digitImage(a.test, i)[0]).toBeCloseTo(a.test.labels[i]! / 10);
    const b = splitDigits(set, { testFraction: 0.2, validationFraction: 0.1, seed: 5 });
    expect(Array.from(b.train.labels)).toEqual(Array.from(a.train.labels));
    expect(() => splitDigits(set, { testFraction: 0.7, validationFraction: 0.5, seed: 1 })).toThrow(/sum below 1/);
  });
});

describe('shifted digits', () => {
  it('moves the picture and fills the border with black', () => {
    const img = new Float32Array(784);
    img[10 * 28 + 10] = 1;
    const moved = shiftDigit(img, 2, -3);
    expect(moved[12 * 28 + 7]).toBe(1);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(1);
    const edge = new Float32Array(784).fill(1);
    const s = shiftDigit(edge, 0, 2);
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(0);
    expect(s[2]).toBe(1);
  });
});
