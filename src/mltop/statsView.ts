/**
 * A stats document as mltop reads it: from uWSGI (any 2.0 version, keys may be missing) or from
 * mlserve (with the `mlserve` extras). Every field is read defensively, so a document from an
 * older or newer server renders instead of crashing.
 */

/** One row of the workers table. */
export interface WorkerView {
  /** Stable key across frames for the RPS difference: the id, or the position for uWSGI's id-0 slots. */
  key: string;
  id: number;
  pid: number;
  requests: number;
  exceptions: number;
  signals: number;
  status: string;
  /** µs */
  avgRt: number;
  rss: number;
  vsz: number;
  tx: number;
  respawnCount: number;
  harakiriCount: number;
  /** µs */
  runningTime: number;
  /** epoch seconds, 0 = never */
  lastSpawn: number;
}

/** The `mlserve` extras mltop shows; null in a uWSGI document. */
export interface MlserveView {
  model: { name: string; version: string; backend: string; engine: string | null; accuracy: number | null } | null;
  cheaper: { algo: string; state: Record<string, unknown>; lastDecision: { at: number; action: string; n: number; reason: string } | null } | null;
  uptime: number | null;
  latency: { p50: number | null; p90: number | null; p99: number | null; count: number } | null;
  queue: { length: number; max: number; refused: number } | null;
  rpsHistory: number[] | null;
  activeHistory: number[] | null;
  batches: { meanSize: number | null; maxSize: number; windowMean: number | null; windowMax: number } | null;
  /** Slots that keep failing (state `failed`), with their consecutive failures and last error. */
  failed: { id: number; failures: number; lastError: string }[];
}

/** The whole document as mltop reads it. */
export interface StatsView {
  version: string | null;
  pid: number | null;
  uid: number | null;
  gid: number | null;
  cwd: string | null;
  listenQueue: number;
  listenQueueErrors: number | null;
  workers: WorkerView[] | null;
  mlserve: MlserveView | null;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const nums = (v: unknown): number[] | null => (Array.isArray(v) ? v.map((x) => num(x)) : null);

/** Reads a parsed stats document (uWSGI's or mlserve's) into a {@link StatsView}. */
export function readStatsView(doc: unknown): StatsView {
  const d = isObj(doc) ? doc : {};
  return {
    version: str(d['version']),
    pid: numOrNull(d['pid']),
    uid: numOrNull(d['uid']),
    gid: numOrNull(d['gid']),
    cwd: str(d['cwd']),
    listenQueue: num(d['listen_queue']),
    listenQueueErrors: numOrNull(d['listen_queue_errors']),
    workers: Array.isArray(d['workers']) ? d['workers'].map(readWorker) : null,
    mlserve: isObj(d['mlserve']) ? readMlserve(d['mlserve']) : null,
  };
}

function readWorker(w: unknown, index: number): WorkerView {
  const o = isObj(w) ? w : {};
  const id = num(o['id']);
  return {
    // uWSGI 2.0 gives every never-spawned slot id 0: tell them apart by position.
    key: id > 0 ? `id:${id}` : `at:${index}`,
    id,
    pid: num(o['pid']),
    requests: num(o['requests']),
    exceptions: num(o['exceptions']),
    signals: num(o['signals']),
    status: str(o['status']) ?? '?',
    avgRt: num(o['avg_rt']),
    rss: num(o['rss']),
    vsz: num(o['vsz']),
    tx: num(o['tx']),
    respawnCount: num(o['respawn_count']),
    harakiriCount: num(o['harakiri_count']),
    runningTime: num(o['running_time']),
    lastSpawn: num(o['last_spawn']),
  };
}

function readMlserve(m: Obj): MlserveView {
  const model = isObj(m['model']) ? m['model'] : null;
  const cheaper = isObj(m['cheaper']) ? m['cheaper'] : null;
  const last = cheaper && isObj(cheaper['last_decision']) ? cheaper['last_decision'] : null;
  const latency = isObj(m['latency_ms']) ? m['latency_ms'] : null;
  const queue = isObj(m['queue']) ? m['queue'] : null;
  const batches = isObj(m['batches']) ? m['batches'] : null;
  const window = batches && isObj(batches['window']) ? batches['window'] : null;
  return {
    model: model && {
      name: str(model['name']) ?? '?',
      version: str(model['version']) ?? '?',
      backend: str(model['backend']) ?? '?',
      engine: str(model['engine']) ?? null,
      accuracy: numOrNull(model['accuracy']),
    },
    cheaper: cheaper && {
      algo: str(cheaper['algo']) ?? '?',
      state: isObj(cheaper['state']) ? cheaper['state'] : {},
      lastDecision: last && {
        at: num(last['at']),
        action: str(last['action']) ?? '?',
        n: num(last['n']),
        reason: str(last['reason']) ?? '',
      },
    },
    uptime: numOrNull(m['uptime']),
    latency: latency && {
      count: num(latency['count']),
      p50: numOrNull(latency['p50']),
      p90: numOrNull(latency['p90']),
      p99: numOrNull(latency['p99']),
    },
    queue: queue && { length: num(queue['length']), max: num(queue['max']), refused: num(queue['refused']) },
    failed: (Array.isArray(m['workers']) ? m['workers'] : [])
      .filter((w): w is Obj => isObj(w) && w['state'] === 'failed')
      .map((w) => ({ id: num(w['id']), failures: num(w['failures']), lastError: str(w['last_error']) ?? '?' })),
    rpsHistory: nums(m['rps_history']),
    activeHistory: nums(m['active_history']),
    batches: batches && {
      meanSize: numOrNull(batches['mean_size']),
      maxSize: num(batches['max_size']),
      windowMean: window ? numOrNull(window['mean_size']) : null,
      windowMax: window ? num(window['max_size']) : 0,
    },
  };
}
