import type { SlotSnapshot } from '../../src/stats/slotSnapshot.js';
import type { StatsInput, StatsWindow, WorkerMemory } from '../../src/stats/statsInput.js';

/** A slot as the slot table would hold it, with `over` changed. */
export function slot(id: number, over: Partial<SlotSnapshot> = {}): SlotSnapshot {
  return {
    id, status: 'idle', threadId: id + 10, requests: 100 * id, deltaRequests: 10 * id, exceptions: 0,
    harakiriCount: 0, respawnCount: 0, lastSpawn: 1_795_237_531_250, readyAt: 1_795_237_531_900, spawnMs: 650,
    runningTimeUs: 123_456, avgRtUs: 820, tx: 14_000 * id, batches: 50 * id, rows: 120 * id, busySince: 0, busyMs: 123.456,
    ...over,
  };
}

/** An empty collector window: no traffic. */
export function quietWindow(): StatsWindow {
  return {
    seconds: 60,
    latency: { count: 0, p50: null, p90: null, p99: null },
    rpsHistory: new Array<number>(60).fill(0),
    activeHistory: new Array<number>(60).fill(0),
    batch: { batches: 0, rows: 0, requests: 0, maxRows: 0, window: { batches: 0, rows: 0, requests: 0, maxRows: 0 } },
  };
}

/**
 * What a master with 4 slots under load would hand buildStatsDocument: slot 1 busy, 2 idle,
 * 3 starting after a crash, 4 cheaped; memory reported for 1 and 2; spare cheaper with a decision.
 */
export function sampleInput(over: Partial<StatsInput> = {}): StatsInput {
  const now = 1_795_237_540_000;
  const memory = new Map<number, WorkerMemory>([
    [1, { threadId: 11, heapUsed: 30_000_000, heapTotal: 40_000_000, external: 5_000_000, tfBytes: 2_000_000, at: now - 2000 }],
    [2, { threadId: 12, heapUsed: 31_000_000, heapTotal: 40_000_000, external: 5_000_000, tfBytes: 2_000_000, at: now - 2000 }],
  ]);
  return {
    now,
    perfNow: 50_000,
    process: { pid: 4242, uid: 1000, gid: 1000, cwd: '/srv/mlserve', version: 'mlserve-0.1.0', startedAt: now - 3_600_000, rss: 180_000_000, vsz: 1_200_000_000 },
    sockets: [{ name: '/run/mlserve/mlserve.sock', proto: 'http' }],
    listen: { queue: 3, max: 100, refused: 7 },
    slots: [
      slot(1, { status: 'busy', busySince: 49_990, respawnCount: 1, harakiriCount: 1, exceptions: 2 }),
      slot(2),
      slot(3, { status: 'starting', threadId: 0, readyAt: 0, respawnCount: 2 }),
      slot(4, { status: 'cheap', threadId: 0, readyAt: 0 }),
    ],
    memory,
    model: { name: 'reuters', version: 1, backend: 'tensorflow', accuracy: 0.8767 },
    cheaper: {
      algo: 'spare',
      state: { idle: 1, overloadCycles: 0 },
      lastDecision: { at: now - 5000, action: 'cheap', n: 1, reason: 'idle 2 > cheaper 1 for 10 cycles' },
    },
    window: {
      seconds: 60,
      latency: { count: 1234, p50: 1.2345, p90: 3.5, p99: 9.75 },
      rpsHistory: Array.from({ length: 60 }, (_, i) => i % 7),
      activeHistory: Array.from({ length: 60 }, (_, i) => (i < 30 ? 4 : 3)),
      batch: { batches: 300, rows: 900, requests: 600, maxRows: 32, window: { batches: 30, rows: 75, requests: 60, maxRows: 8 } },
    },
    ...over,
  };
}
