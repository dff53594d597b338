/** What decides a recycle (uWSGI's max-requests family), from the config. */
export interface RecycleOptions {
  /** Requests after which a worker is recycled; 0 = never (uWSGI `max-requests`). */
  maxRequests: number;
  /** Added per slot so slots do not all recycle at once (uWSGI `max-requests-delta`). */
  maxRequestsDelta: number;
  /** A worker younger than this (ms) is not recycled yet (uWSGI `min-worker-lifetime`). */
  minLifetimeMs: number;
}

/**
 * uWSGI's reload-on-rss: recycle a worker whose memory passed `limit` bytes, once it is older
 * than `min-worker-lifetime`. Pure.
 */
export function overRssLimit(rss: number, limit: number | null, age: number, minLifetimeMs: number): boolean {
  return limit !== null && rss > limit && age >= minLifetimeMs;
}

/**
 * The max-requests limit of one slot. uWSGI 2.0 (core/utils.c, end of request):
 * `delta_requests >= max_requests + (mywid - 1) * max_requests_delta`, so workers drift apart.
 */
export function maxRequestsFor(slotId: number, opts: RecycleOptions): number {
  return opts.maxRequests === 0 ? 0 : opts.maxRequests + opts.maxRequestsDelta * (slotId - 1);
}

/**
 * Whether a worker has served enough requests to be recycled: after its current batch, never
 * before `min-worker-lifetime`. Pure; `now` and `lastSpawn` are epoch ms.
 */
export function shouldRecycle(
  slot: { id: number; deltaRequests: number; lastSpawn: number },
  now: number,
  opts: RecycleOptions,
): boolean {
  const limit = maxRequestsFor(slot.id, opts);
  return limit > 0 && slot.deltaRequests >= limit && now - slot.lastSpawn >= opts.minLifetimeMs;
}
