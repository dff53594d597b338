/**
 * The stats contract of one worker slot: what the master's slot table keeps and what the stats
 * document, /metrics, the memory poller and the cheaper algorithms read copies of. Owned here,
 * below the master, so stats never imports the master.
 */
/** A worker slot's state, as uWSGI's stats name them (plus `starting`, which uWSGI cannot see). */
export type SlotStatus = 'cheap' | 'starting' | 'idle' | 'busy' | 'stopping';

/** What the master knows of one slot; the stats socket and the cheaper algorithms read copies. */
export interface SlotSnapshot {
  id: number;
  status: SlotStatus;
  threadId: number;
  /** Requests served by this slot, across respawns (uWSGI `requests`). */
  requests: number;
  /** Requests since the current thread was spawned (uWSGI `delta_requests`). */
  deltaRequests: number;
  /** Requests that ended in an error attributed to the worker (crash, predict failure). */
  exceptions: number;
  harakiriCount: number;
  respawnCount: number;
  /** Epoch ms of the last spawn, 0 if never spawned. */
  lastSpawn: number;
  /** Epoch ms when the current thread became ready, 0 while starting or cheap. */
  readyAt: number;
  /** Spawn to ready of the current thread, ms. */
  spawnMs: number;
  /** Cumulative time spent running batches, microseconds (uWSGI `running_time`). */
  runningTimeUs: number;
  /** Moving average request time, microseconds (uWSGI `avg_rt`). */
  avgRtUs: number;
  /** Response bytes sent for requests this slot served (uWSGI `tx`). */
  tx: number;
  /** Batches run and rows predicted. */
  batches: number;
  rows: number;
  /** performance.now() when the current batch started, 0 when not busy. */
  busySince: number;
  /** Cumulative busy time in ms, for busyness-style algorithms. */
  busyMs: number;
}
