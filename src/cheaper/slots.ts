/**
 * Which slots a decision acts on, as uWSGI's uwsgi_calc_cheaper (core/master_utils.c) picks them.
 */
import type { CheaperSnapshot } from './types.js';

/**
 * How many workers a spawn of `step` can start: uWSGI's `decheaped` loop, which counts cheap
 * slots up to `cheaper-step`. 0 when every slot has a thread.
 */
export function decheaped(snap: CheaperSnapshot, step: number): number {
  return Math.max(0, Math.min(step, snap.cheap));
}

/** The `n` lowest cheap slot ids: uWSGI spawns into the first cheaped slots, in id order. */
export function pickSpawnSlots(snap: CheaperSnapshot, n: number): number[] {
  return snap.workers.filter((w) => w.status === 'cheap').slice(0, Math.max(0, n)).map((w) => w.id);
}

/**
 * Up to `n` workers to cheap, one after the other: each time the idle worker with the oldest
 * spawn time (ties: lowest id), never a busy or starting one.
 */
export function pickCheapVictims(snap: CheaperSnapshot, n: number): number[] {
  // uWSGI 2.0 calc_cheaper: the non-busy worker with the smallest last_spawn (strict `<`, so
  // the lowest id wins a tie), one per needed_workers, never a busy one.
  return snap.workers
    .filter((w) => w.status === 'idle')
    .sort((a, b) => a.lastSpawn - b.lastSpawn || a.id - b.id)
    .slice(0, Math.max(0, n))
    .map((w) => w.id);
}

/**
 * The worker to cheap: the idle one with the oldest spawn time (ties: lowest id); 0 when no
 * worker is idle.
 *
 * @example
 * pickCheapVictim(snap) // 1: idle since the first spawn
 */
export function pickCheapVictim(snap: CheaperSnapshot): number {
  return pickCheapVictims(snap, 1)[0] ?? 0;
}
