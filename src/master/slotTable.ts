import type { SlotSnapshot, SlotStatus } from '../stats/slotSnapshot.js';

export type { SlotSnapshot, SlotStatus };

function emptySlot(id: number): SlotSnapshot {
  return {
    id, status: 'cheap', threadId: 0, requests: 0, deltaRequests: 0, exceptions: 0,
    harakiriCount: 0, respawnCount: 0, lastSpawn: 0, readyAt: 0, spawnMs: 0, runningTimeUs: 0,
    avgRtUs: 0, tx: 0, batches: 0, rows: 0, busySince: 0, busyMs: 0,
  };
}

/**
 * The master's table of worker slots 1..N: the one place where per-worker counters live. The
 * supervisor moves slots between states; the dispatcher, the stats socket and the cheaper
 * algorithms read {@link snapshot} copies. No threads here, so it is tested directly.
 */
export class SlotTable {
  readonly #slots: SlotSnapshot[];

  constructor(size: number) {
    this.#slots = Array.from({ length: size }, (_, i) => emptySlot(i + 1));
  }

  get size(): number {
    return this.#slots.length;
  }

  /** A copy of every slot, in id order. */
  snapshot(): SlotSnapshot[] {
    return this.#slots.map((s) => ({ ...s }));
  }

  /** A copy of one slot. */
  get(id: number): SlotSnapshot {
    return { ...this.#at(id) };
  }

  status(id: number): SlotStatus {
    return this.#at(id).status;
  }

  /** Counts slots by status. */
  counts(): Record<SlotStatus, number> {
    const c: Record<SlotStatus, number> = { cheap: 0, starting: 0, idle: 0, busy: 0, stopping: 0 };
    for (const s of this.#slots) c[s.status]++;
    return c;
  }

  /** The lowest-numbered cheap slot, or 0 (uWSGI spawns into the first free slot). */
  firstCheap(): number {
    return this.#slots.find((s) => s.status === 'cheap')?.id ?? 0;
  }

  /** The lowest-numbered idle slot, or 0: low slots take work first so high ones stay cheapable. */
  firstIdle(): number {
    return this.#slots.find((s) => s.status === 'idle')?.id ?? 0;
  }

  /** The first thread of a slot was spawned, or a dead one replaced. */
  starting(id: number, now: number, respawn: boolean): void {
    const s = this.#at(id);
    s.status = 'starting';
    s.threadId = 0;
    s.lastSpawn = now;
    s.readyAt = 0;
    s.deltaRequests = 0;
    s.busySince = 0;
    if (respawn) s.respawnCount++;
  }

  ready(id: number, now: number, threadId: number): void {
    const s = this.#at(id);
    s.status = 'idle';
    s.threadId = threadId;
    s.readyAt = now;
    s.spawnMs = now - s.lastSpawn;
  }

  busy(id: number, nowPerf: number): void {
    const s = this.#at(id);
    s.status = 'busy';
    s.busySince = nowPerf;
  }

  /** A batch finished (well or not): account it and make the slot idle again unless it is stopping. */
  batchDone(id: number, nowPerf: number, requests: number, rows: number, errors: number): void {
    const s = this.#at(id);
    const elapsedMs = s.busySince ? nowPerf - s.busySince : 0;
    const us = Math.round(elapsedMs * 1000);
    s.runningTimeUs += us;
    s.busyMs += elapsedMs;
    s.requests += requests;
    s.deltaRequests += requests;
    s.exceptions += errors;
    s.batches++;
    s.rows += rows;
    // uWSGI: avg_rt = (avg_rt + last) / 2, a cheap moving average.
    s.avgRtUs = s.avgRtUs === 0 ? us : Math.round((s.avgRtUs + us) / 2);
    s.busySince = 0;
    if (s.status === 'busy') s.status = 'idle';
  }

  /** Bytes sent for a response of this slot. */
  addTx(id: number, bytes: number): void {
    this.#at(id).tx += bytes;
  }

  /**
   * Chain reload: a new thread, spawned at `spawnedAt` and ready now, took the slot over from
   * the old one. Counts as a respawn, as uWSGI's reload does.
   */
  swapped(id: number, spawnedAt: number, now: number, threadId: number): void {
    const s = this.#at(id);
    s.status = 'idle';
    s.threadId = threadId;
    s.lastSpawn = spawnedAt;
    s.readyAt = now;
    s.spawnMs = now - spawnedAt;
    s.deltaRequests = 0;
    s.busySince = 0;
    s.respawnCount++;
  }

  /** The slot's thread is being retired: it takes no new work. */
  stopping(id: number): void {
    this.#at(id).status = 'stopping';
  }

  /** The slot's thread is gone (retired, crashed, killed). */
  cheap(id: number): void {
    const s = this.#at(id);
    s.status = 'cheap';
    s.threadId = 0;
    s.readyAt = 0;
    s.busySince = 0;
  }

  /** Requests lost with a crashed or killed thread. */
  failed(id: number, requests: number, harakiri: boolean): void {
    const s = this.#at(id);
    s.exceptions += requests;
    if (harakiri) s.harakiriCount++;
  }

  #at(id: number): SlotSnapshot {
    const s = this.#slots[id - 1];
    if (!s) throw new RangeError(`no worker slot ${id}`);
    return s;
  }
}
