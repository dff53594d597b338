import type { CheaperWorkerStatus } from './types.js';

/**
 * The one definition of an "active" worker, shared by the supervisor, the cheaper snapshots,
 * the stats document's history, /metrics and systemd's STATUS line: a slot whose thread is ready
 * (idle or busy). uWSGI counts workers that are not cheaped; a thread still loading its model
 * (`starting`), one being retired (`stopping`) and a `failed` slot serve nothing, so they are not
 * active here.
 */
export function isActive(status: CheaperWorkerStatus): boolean {
  return status === 'idle' || status === 'busy';
}

/** How many of `slots` are active ({@link isActive}). */
export function countActive(slots: readonly { readonly status: CheaperWorkerStatus }[]): number {
  let n = 0;
  for (const s of slots) if (isActive(s.status)) n++;
  return n;
}
