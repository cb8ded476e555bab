/**
 * Class count of a row-major [n, classes] probability matrix, checked against the labels; throws a
 * RangeError saying which argument is off, because a silent mismatch gives plausible wrong numbers.
 */
export function classCount(probs: Float32Array, labels: Int32Array): number {
  const n = labels.length;
  if (n === 0) throw new RangeError('labels is empty: a metric over no examples is undefined');
  if (probs.length === 0 || probs.length % n !== 0) {
    throw new RangeError(`probs has ${probs.length} values, not a whole number of rows for ${n} labels`);
  }
  const classes = probs.length / n;
  checkLabels(labels, classes);
  return classes;
}

/** Every label must name one of the `classes` classes. */
export function checkLabels(labels: Int32Array, classes: number, what = 'labels'): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (y < 0 || y >= classes)
      throw new RangeError(`${what}[${i}] is ${y}; expected a class index in 0..${classes - 1}`);
  }
}
