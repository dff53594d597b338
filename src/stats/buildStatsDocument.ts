import type { SlotSnapshot } from './slotSnapshot.js';
import type { StatsInput, WorkerMemory } from './statsInput.js';
import type { MlserveExtras, MlserveWorker, StatsDocument, StatsWorker, UwsgiStatus } from './statsDocument.js';

/**
 * Builds the stats document from plain data: pure, cheap (no I/O, nothing awaited), so the
 * stats socket can answer while requests are being served. The uWSGI part keeps uWSGI 2.0's
 * keys, meanings and units; mlserve's own facts go under `mlserve`. docs/stats.md explains
 * every key and what `pid`, `rss` and `vsz` mean for threads.
 *
 * @example
 * const doc = buildStatsDocument(input);
 * socket.end(JSON.stringify(doc));
 */
export function buildStatsDocument(input: StatsInput): StatsDocument {
  const { listen } = input;
  return {
    version: input.process.version,
    listen_queue: listen.queue,
    listen_queue_errors: listen.refused,
    signal_queue: 0,
    // uWSGI's `load` is the kernel's count of connections waiting on a TCP listener; the
    // closest mlserve has is the requests waiting for a worker.
    load: listen.queue,
    pid: input.process.pid,
    uid: input.process.uid,
    gid: input.process.gid,
    cwd: input.process.cwd,
    locks: [],
    sockets: input.sockets.map((s) => ({
      name: s.name,
      proto: s.proto,
      // One dispatcher queue serves every socket: each shows it.
      queue: listen.queue,
      max_queue: listen.max,
      shared: 0,
      can_offload: 0,
    })),
    workers: input.slots.map((slot) => uwsgiWorker(slot, input)),
    mlserve: extras(input),
  };
}

/** The uWSGI status of a slot, and whether it takes requests. */
export function uwsgiStatus(slot: SlotSnapshot): { status: UwsgiStatus; accepting: number } {
  switch (slot.status) {
    case 'idle':
      return { status: 'idle', accepting: 1 };
    case 'busy':
      return { status: 'busy', accepting: 1 };
    case 'cheap':
      return { status: 'cheap', accepting: 0 };
    // uWSGI shows a worker that is still loading its app as idle with accepting 0.
    case 'starting':
      return { status: 'idle', accepting: 0 };
    // Retiring: it finishes its batch (busy) and takes no new one (accepting 0).
    case 'stopping':
      return { status: slot.busySince > 0 ? 'busy' : 'idle', accepting: 0 };
  }
}

function uwsgiWorker(slot: SlotSnapshot, input: StatsInput): StatsWorker {
  const { status, accepting } = uwsgiStatus(slot);
  const live = slot.status !== 'cheap';
  const busy = slot.busySince > 0;
  return {
    // uWSGI 2.0 reports never-spawned slots with id 0; mlserve keeps the slot id always, so
    // rows stay distinct (uwsgitop keys its RPS by id).
    id: slot.id,
    pid: live ? input.process.pid : 0,
    accepting,
    requests: slot.requests,
    delta_requests: slot.deltaRequests,
    exceptions: slot.exceptions,
    harakiri_count: slot.harakiriCount,
    signals: 0,
    signal_queue: 0,
    status,
    rss: live ? threadRss(memoryOf(slot, input.memory), input.model.backend) : 0,
    vsz: live ? input.process.vsz : 0,
    running_time: Math.round(slot.runningTimeUs),
    last_spawn: Math.floor(slot.lastSpawn / 1000),
    respawn_count: slot.respawnCount,
    tx: slot.tx,
    avg_rt: Math.round(slot.avgRtUs),
    apps:
      slot.lastSpawn === 0
        ? []
        : [
            {
              id: 0,
              modifier1: 0,
              mountpoint: '',
              startup_time: Math.round(slot.spawnMs / 1000),
              requests: slot.requests,
              exceptions: slot.exceptions,
              chdir: '',
            },
          ],
    cores: [
      {
        id: 0,
        requests: slot.requests,
        static_requests: 0,
        routed_requests: 0,
        offloaded_requests: 0,
        write_errors: 0,
        read_errors: 0,
        in_request: busy ? 1 : 0,
        vars: [],
        req_info: busy ? { request_start: Math.floor(batchStart(slot, input) / 1000) } : {},
      },
    ],
  };
}

/**
 * A thread's own memory: its isolate's used heap plus V8 external memory (ArrayBuffers, and the
 * wasm backend's linear memory). tfjs-node's tensors live in libtensorflow's allocator, which V8
 * does not see, so with the `tensorflow` backend tfjs's count is added; with wasm and cpu the
 * tensors are already inside external memory.
 */
export function threadRss(memory: WorkerMemory | undefined, backend: string): number {
  if (!memory) return 0;
  return memory.heapUsed + memory.external + (backend === 'tensorflow' ? memory.tfBytes : 0);
}

// A report of a previous thread of the slot is not this thread's memory.
function memoryOf(slot: SlotSnapshot, memory: StatsInput['memory']): WorkerMemory | undefined {
  const m = memory?.get(slot.id);
  if (!m || slot.status === 'cheap') return undefined;
  return slot.threadId === 0 || m.threadId === slot.threadId ? m : undefined;
}

function batchStart(slot: SlotSnapshot, input: StatsInput): number {
  return input.now - Math.max(0, input.perfNow - slot.busySince);
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const ratio = (a: number, b: number): number | null => (b > 0 ? round3(a / b) : null);

function extras(input: StatsInput): MlserveExtras {
  const { window, cheaper, model } = input;
  const { batch, latency } = window;
  return {
    version: input.process.version.replace(/^mlserve-/, ''),
    now: input.now / 1000,
    uptime: round3(Math.max(0, input.now - input.process.startedAt) / 1000),
    process: { rss: input.process.rss, vsz: input.process.vsz },
    model: { name: model.name, version: model.version, backend: model.backend, accuracy: model.accuracy },
    cheaper: cheaper && {
      algo: cheaper.algo,
      state: { ...cheaper.state },
      last_decision: cheaper.lastDecision && {
        at: cheaper.lastDecision.at / 1000,
        action: cheaper.lastDecision.action,
        n: cheaper.lastDecision.n,
        reason: cheaper.lastDecision.reason,
      },
    },
    queue: { length: input.listen.queue, max: input.listen.max, refused: input.listen.refused },
    window_seconds: window.seconds,
    latency_ms: {
      count: latency.count,
      p50: latency.p50 === null ? null : round3(latency.p50),
      p90: latency.p90 === null ? null : round3(latency.p90),
      p99: latency.p99 === null ? null : round3(latency.p99),
    },
    rps_history: [...window.rpsHistory],
    active_history: [...window.activeHistory],
    batches: {
      count: batch.batches,
      rows: batch.rows,
      requests: batch.requests,
      mean_size: ratio(batch.rows, batch.batches),
      max_size: batch.maxRows,
      window: {
        count: batch.window.batches,
        rows: batch.window.rows,
        requests: batch.window.requests,
        mean_size: ratio(batch.window.rows, batch.window.batches),
        max_size: batch.window.maxRows,
      },
    },
    workers: input.slots.map((slot) => mlserveWorker(slot, input)),
  };
}

function mlserveWorker(slot: SlotSnapshot, input: StatsInput): MlserveWorker {
  const m = memoryOf(slot, input.memory);
  return {
    id: slot.id,
    state: slot.status,
    thread_id: slot.threadId,
    time_to_ready_ms: slot.spawnMs > 0 || slot.readyAt > 0 ? round3(slot.spawnMs) : null,
    ready_at: Math.floor(slot.readyAt / 1000),
    batches: slot.batches,
    rows: slot.rows,
    busy_ms: round3(slot.busyMs),
    running_batch_ms: slot.busySince > 0 ? round3(Math.max(0, input.perfNow - slot.busySince)) : 0,
    memory: m ? { heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, tf_bytes: m.tfBytes, at: m.at / 1000 } : null,
  };
}
