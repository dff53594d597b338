/**
 * Which row a worker thread is predicting, in a cell of shared memory the master can read even
 * after the thread died or was terminated: the culprit of a failed batch (issue 15). Written with
 * Atomics so the master's read after the thread's death sees the last store.
 */

/** Between tasks. */
export const PROGRESS_IDLE = -1;
/** In a step that works on the whole batch at once (a matrix product): no single row to blame. */
export const PROGRESS_BATCH = -2;

/** A new cell, for one thread's `WorkerInit.progress`. */
export function createProgressBuffer(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(4);
  new Int32Array(buffer)[0] = PROGRESS_IDLE;
  return buffer;
}

/** The row being predicted (>= 0), or {@link PROGRESS_IDLE} / {@link PROGRESS_BATCH}. */
export function readProgress(buffer: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(buffer), 0);
}

/** The worker's side: a setter bound to its cell (a no-op without one). */
export function progressWriter(buffer: SharedArrayBuffer | undefined): (row: number) => void {
  if (!buffer) return () => {};
  const cell = new Int32Array(buffer);
  return function setProgress(row: number): void {
    Atomics.store(cell, 0, row);
  };
}

/**
 * The request a row belongs to, given each request's row count in batch order; null for a row
 * outside the batch or a progress that names no row.
 *
 * @example
 * requestOfRow([1, 3, 1], 2) // 1: rows 1..3 are the second request's
 */
export function requestOfRow(rowsPerRequest: readonly number[], row: number): number | null {
  if (row < 0) return null;
  let end = 0;
  for (let i = 0; i < rowsPerRequest.length; i++) {
    end += rowsPerRequest[i]!;
    if (row < end) return i;
  }
  return null;
}
