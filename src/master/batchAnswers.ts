import type { RequestResult } from '../model/requestResult.js';
import type { PredictResult } from '../worker/protocol.js';
import type { PredictThread } from './predictThread.js';

/** What {@link batchAnswers} needs of each request of a batch, in batch order. */
export interface BatchMember {
  rows: number;
  /** It asked for every row's output vector. */
  scores: boolean;
}

/**
 * Splits one batch's prediction into each request's answer, in batch order: its rows of classes
 * and probabilities (views on the result, not copies), and its rows of scores when it asked for
 * them or the model is multi-label (whose answers always name every label over its threshold).
 * Every answer names the thread's labels, decoding and model version: during a chain reload the
 * threads of two versions answer side by side.
 *
 * @example batchAnswers({ classes, probs }, [{ rows: 2, scores: false }, { rows: 1, scores: false }], thread, 1)
 *   // [{ classes: classes[0..2], ... }, { classes: classes[2..3], ... }]
 */
export function batchAnswers(
  result: Pick<PredictResult, 'classes' | 'probs' | 'scores'>,
  members: readonly BatchMember[],
  thread: Pick<PredictThread, 'labels' | 'decoding' | 'version'>,
  slot: number,
): RequestResult[] {
  let rows = 0;
  for (const m of members) rows += m.rows;
  const all = result.scores;
  const width = all && rows > 0 ? all.length / rows : 0;
  const multiLabel = thread.decoding.kind === 'multi-label';
  const answers: RequestResult[] = [];
  let offset = 0;
  for (const m of members) {
    const answer: RequestResult = {
      classes: result.classes.subarray(offset, offset + m.rows),
      probs: result.probs.subarray(offset, offset + m.rows),
      slot,
      labels: thread.labels,
      decoding: thread.decoding,
      ...(thread.version !== undefined ? { version: thread.version } : {}),
    };
    if ((m.scores || multiLabel) && all) answer.scores = all.subarray(offset * width, (offset + m.rows) * width);
    answers.push(answer);
    offset += m.rows;
  }
  return answers;
}
