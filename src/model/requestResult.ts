import type { OutputDecoding } from './outputDecoding.js';
// What the dispatcher answers for one request and the HTTP layer (and protocols) turn into a
// response: below both, so http never imports the master.

/** The rows of one request, answered from one batch. */
export interface RequestResult {
  classes: Int32Array;
  probs: Float32Array;
  /** The slot that predicted it (for per-worker `tx`). */
  slot: number;
  /** Class names of the model that predicted it. */
  labels: readonly string[];
  /**
   * The full output vector of every row (`rows x outputWidth`, row-major, after the model's
   * output activation), when the request asked for it (`SubmitOptions.scores`).
   */
  scores?: Float32Array;
  /** How the model's outputs were decoded; a multi-label model's answers always carry `scores`. */
  decoding?: OutputDecoding;
  /**
   * The model version of the thread that predicted it: during a chain reload old and new threads
   * answer side by side, and the master's served version changes only once every thread is new.
   */
  version?: number;
}
