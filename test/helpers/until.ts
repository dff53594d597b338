/**
 * Polls `check` until it holds, for state that raises no event (a counter inside the master);
 * throws naming `what` after `timeoutMs`. Prefer an event where there is one.
 *
 * @example await until('the worker to be busy', () => master.dispatcher.inFlight === 1);
 */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
