/**
 * uWSGI's fork-bomb guard, as a pure decision: when more than `limit` respawns happened within
 * the last second, the next one waits `backoffMs`. Returns the delay before the next respawn
 * and the history to keep.
 */
export function respawnDelay(
  history: readonly number[],
  now: number,
  limit: number,
  backoffMs = 1000,
): { delayMs: number; history: number[] } {
  const recent = history.filter((t) => now - t < 1000);
  recent.push(now);
  return { delayMs: recent.length > limit ? backoffMs : 0, history: recent };
}
