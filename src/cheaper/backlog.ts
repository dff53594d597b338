import { decheaped } from './slots.js';
import type { CheaperAlgorithm } from './types.js';

/** {@link backlog} keeps no state between cycles. */
export type BacklogState = Readonly<Record<string, never>>;

/**
 * uWSGI's `backlog` algorithm (core/master_utils.c, uwsgi_cheaper_algo_backlog): more than
 * `cheaper-overload` requests waiting: spawn `cheaper-step`; fewer: cheap one while more than
 * `cheaper` are active; exactly `cheaper-overload`: hold.
 *
 * uWSGI reads the kernel's listen queue of a TCP socket (Linux only). mlserve reads its own
 * dispatcher queue (requests accepted, waiting for a worker), so it works on any platform and
 * over the Unix socket nginx talks to. And it reads the queue's mean length over the
 * check-interval (`snap.intervalBacklog`), not its length at the instant: with batching the queue
 * empties into a worker many times a second, so the instant length says little about the load.
 */
export const backlog: CheaperAlgorithm<BacklogState> = {
  name: 'backlog',
  initial: () => ({}),
  decide(state, snap, opts, canSpawn) {
    const waiting = Math.round(snap.intervalBacklog * 10) / 10;
    if (canSpawn && snap.intervalBacklog > opts.cheaperOverload) {
      const n = decheaped(snap, opts.cheaperStep);
      return { state, decision: n > 0 ? { spawn: n, reason: `backlog: ${waiting} waiting requests > ${opts.cheaperOverload}` } : null };
    }
    if (snap.intervalBacklog < opts.cheaperOverload && snap.active > opts.cheaper) {
      return { state, decision: { cheap: 1, reason: `backlog: ${waiting} waiting requests < ${opts.cheaperOverload}` } };
    }
    return { state, decision: null };
  },
  view: () => ({}),
};
