/** A timer handle of a {@link Clock}. */
export type TimerHandle = unknown;

/**
 * Time as the supervisor and the dispatcher see it: epoch ms and timers. Tests pass a fake
 * clock (test/helpers/fakeClock.ts) and move time by hand, so backoff and harakiri are tested
 * without waiting.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Its timers do not keep the process alive: sockets and threads do. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
