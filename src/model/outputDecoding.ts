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

/**
 * How a model's output rows become answers, decided once from the model's last layer and its
 * training config: `softmax` (top class), `binary` (one sigmoid unit: class 1 when p > 0.5, the
 * probability of the chosen class), `multi-label` (several sigmoid units: every class over the
 * threshold). `activation` is applied by the server first when the model outputs logits (a
 * linear head trained with `from_logits=True`).
 */
export interface OutputDecoding {
  kind: 'softmax' | 'binary' | 'multi-label';
  activation: 'softmax' | 'sigmoid' | null;
  threshold: number;
}

/**
 * Pure: the last layer's activation and units, and the training loss, to a decoding. A linear
 * head is logits only when the loss says `from_logits` (else it is served as it is, argmax).
 *
 * @example
 * outputDecodingOf({ activation: 'sigmoid', units: 1, fromLogits: false }) // binary
 */
export function outputDecodingOf(head: { activation: string; units: number; fromLogits: boolean; loss?: string | null }): OutputDecoding {
  const threshold = 0.5;
  const sigmoidLoss = head.loss != null && /binary/i.test(head.loss);
  if (head.activation === 'sigmoid') return { kind: head.units === 1 ? 'binary' : 'multi-label', activation: null, threshold };
  if (head.activation === 'linear' && head.fromLogits) {
    if (head.units === 1 || sigmoidLoss) return { kind: head.units === 1 ? 'binary' : 'multi-label', activation: 'sigmoid', threshold };
    return { kind: 'softmax', activation: 'softmax', threshold };
  }
  return { kind: 'softmax', activation: null, threshold };
}

/** Applies the decoding's activation in place (rows `width` wide). */
export function activateRows(scores: Float32Array, width: number, activation: OutputDecoding['activation']): void {
  if (activation === 'sigmoid') {
    for (let i = 0; i < scores.length; i++) scores[i] = 1 / (1 + Math.exp(-scores[i]!));
  } else if (activation === 'softmax') {
    for (let r = 0; r < scores.length; r += width) {
      let max = -Infinity;
      for (let c = 0; c < width; c++) max = Math.max(max, scores[r + c]!);
      let sum = 0;
      for (let c = 0; c < width; c++) sum += scores[r + c] = Math.exp(scores[r + c]! - max);
      for (let c = 0; c < width; c++) scores[r + c] = scores[r + c]! / sum;
    }
  }
}

/** Class and probability per row under a decoding (scores already activated). */
export function decodeRows(scores: Float32Array, width: number, decoding: OutputDecoding): BatchPrediction {
  if (decoding.kind !== 'binary') return argmaxRows(scores, width);
  const classes = new Int32Array(scores.length);
  const probs = new Float32Array(scores.length);
  for (let r = 0; r < scores.length; r++) {
    const p = scores[r]!;
    classes[r] = p > decoding.threshold ? 1 : 0;
    probs[r] = p > decoding.threshold ? p : 1 - p;
  }
  return { classes, probs };
}

/** The classes of one row over the threshold (multi-label), in class order. */
export function labelsOver(scores: Float32Array, row: number, width: number, threshold: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < width; c++) if (scores[row * width + c]! > threshold) out.push(c);
  return out;
}
