/**
 * How many queued requests the next batch takes, Triton-style with no delay: everything
 * waiting, in FIFO order, while the rows fit in `maxRows`. The first request is always taken,
 * even when it alone has more rows than `maxRows` (a POST of many texts is never split: its
 * rows are predicted together and answered together).
 *
 * @param rows rows of each queued request, oldest first
 * @example batchCount([1, 1, 30, 1], 32) // 2: the third would overflow
 */
export function batchCount(rows: ArrayLike<number>, maxRows: number): number {
  if (rows.length === 0) return 0;
  let total = rows[0]!;
  let n = 1;
  while (n < rows.length && total + rows[n]! <= maxRows) {
    total += rows[n]!;
    n++;
  }
  return n;
}

/**
 * TF Serving's batch_timeout_micros: how long (µs) to hold a partial batch before sending it,
 * given the rows waiting and how long the oldest has waited. 0 = send now: the batch is full,
 * the timeout is off (mlserve's default, Triton's no-delay batching), or it has expired.
 *
 * @example holdMicros(3, 32, 400, 1000) // 600: wait up to 0.6 ms more for requests to join
 */
export function holdMicros(queuedRows: number, maxRows: number, oldestWaitedMicros: number, timeoutMicros: number): number {
  if (timeoutMicros <= 0 || queuedRows >= maxRows) return 0;
  return Math.max(0, timeoutMicros - oldestWaitedMicros);
}

/**
 * mlserve's busy-gated linger (`batch-linger-micros`): how long (µs) to hold a partial batch whose
 * oldest request arrived `crowded`, i.e. while a batch was running or others were waiting. Under
 * load, requests arriving over the next fraction of a millisecond then leave together instead of
 * one worker wake-up each. It matters where requests come one per connection (nginx `uwsgi_pass`,
 * a new upstream connection a request): same-turn coalescing sees one request a turn there, and
 * a fast-path batch ends so soon that waiting only for it gathers no batch-mates. A request that
 * arrives alone (c=1: the previous one was answered before it came) is never held.
 *
 * @example lingerMicros(2, 32, 100, 500, true) // 400: it came in a crowd, wait up to 0.4 ms more
 * @example lingerMicros(1, 32, 0, 500, false) // 0: it came alone, send now
 */
export function lingerMicros(queuedRows: number, maxRows: number, oldestWaitedMicros: number, lingerMicros: number, crowded: boolean): number {
  // The same hold as batch-timeout-micros, only for a batch that came in a crowd.
  return crowded ? holdMicros(queuedRows, maxRows, oldestWaitedMicros, lingerMicros) : 0;
}

/**
 * Whether a request of `rows` rows still fits in the queue: at most `listen` requests (uWSGI)
 * and at most `maxEnqueuedBatches` batches' worth of rows (TF Serving) may wait.
 */
export function queueHasRoom(
  queued: { requests: number; rows: number },
  rows: number,
  limits: { listen: number; maxEnqueuedBatches: number; maxBatchSize: number },
): boolean {
  if (queued.requests >= limits.listen) return false;
  // An empty queue always takes a request, even one larger than the row bound.
  return queued.rows === 0 || queued.rows + rows <= limits.maxEnqueuedBatches * limits.maxBatchSize;
}
