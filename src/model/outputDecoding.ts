/** Top class of each row of a batch. */
export interface BatchPrediction {
  /** Index into the labels of the top class, per row. */
  classes: Int32Array;
  /** Probability of that top class, per row. */
  probs: Float32Array;
}

/**
 * Top class and its probability for each row of row-major softmax rows `width` wide. The first
 * maximum wins, as numpy's argmax (the Python peer) does.
 */
export function argmaxRows(probs: Float32Array, width: number): BatchPrediction {
  const rows = width === 0 ? 0 : probs.length / width;
  const classes = new Int32Array(rows);
  const top = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestP = probs[r * width] as number;
    for (let c = 1; c < width; c++) {
      const p = probs[r * width + c] as number;
      if (p > bestP) {
        best = c;
        bestP = p;
      }
    }
    classes[r] = best;
    top[r] = bestP;
  }
  return { classes, probs: top };
}
