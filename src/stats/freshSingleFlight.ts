/**
 * Shares one call of `ask` between callers, without ever handing a caller a result that was
 * asked for before it called: a caller that arrives while a call is in flight (whose answer may
 * already be gathered) waits for it to end and then shares the next one with every other caller
 * that arrived meanwhile. So a burst of callers costs about 2 calls (a few more only if callers keep
 * arriving as calls end), and each gets data at least as fresh as the moment it called. A failed call rejects the callers it was for.
 *
 * @example
 * const input = freshSingleFlight(() => askMainThread());
 * const [a, b] = await Promise.all([input(), input()]); // one or two asks, never more
 */
export function freshSingleFlight<T>(ask: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const get = (): Promise<T> => {
    if (inFlight === null) {
      const call = ask();
      inFlight = call;
      const clear = (): void => {
        if (inFlight === call) inFlight = null;
      };
      call.then(clear, clear);
      return call;
    }
    if (next === null) {
      const after = inFlight.then(
        () => undefined,
        () => undefined,
      );
      next = after.then(() => {
        next = null;
        return get();
      });
    }
    return next;
  };
  return get;
}
