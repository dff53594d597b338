import type { FamiliesResult } from './scenarios/families.js';
import type { ForeignCpu } from './foreignCpu.js';
import type { Machine, QuietWait } from './machine.js';
import type { ServerName } from './options.js';
import type { TreeMemory } from './procs.js';
import type { WrkResult } from './wrk.js';

/** One wrk run against one server, with what the machine did meanwhile. */
export interface LoadRun {
  wrk: WrkResult;
  /** The server's process tree right after the run (nginx excluded). */
  memAfter: TreeMemory;
  /** CPU other people's processes used during the measured run. */
  foreign: ForeignCpu;
  /** Runs taken: more than 1 when others disturbed the first (the least disturbed one is kept). */
  attempts: number;
}

/** One point of the concurrency sweep. */
export interface SweepPoint extends LoadRun {
  server: ServerName;
  concurrency: number;
}

/** The concurrency sweep: GET /predict through nginx, every server at every concurrency. */
export interface SweepResult {
  /** Report name and one-line description of each server, in sweep order. */
  servers: Array<{ server: ServerName; name: string; description: string }>;
  points: SweepPoint[];
  durationS: number;
  warmupS: number;
  texts: number;
  maxTextBytes: number;
}

/** POST /predict with many texts a request, mlserve through nginx. */
export interface PostResult extends LoadRun {
  description: string;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Texts per request. */
  size: number;
  bodies: number;
  textsCut: number;
  largestBytes: number;
  smallestBytes: number;
  /** nginx's client_max_body_size, read from nginx/mlserve.conf. */
  maxBodyBytes: number;
  predictionsPerS: number;
}

/** Spawn to the first 200 of one server, several times. */
export interface StartupRuns {
  name: string;
  description: string;
  /** Spawn to the first 200 answer of the poll loop, each run, ms. */
  runsMs: number[];
  medianMs: number;
  /** What the server itself reported (mlserve's ready line `startupMs`), each run, ms. */
  selfReportedMs?: number[];
}

/** The startup part: each server's runs. */
export interface StartupResult {
  /** How the poll loop asked. */
  probe: string;
  servers: StartupRuns[];
}

/** One second of the ramp for one server. */
export interface RampSecond {
  /** Seconds since the ramp started; this row covers [t, t+1). */
  t: number;
  concurrency: number;
  completed: number;
  errors: number;
  /** NaN when nothing completed in that second. */
  p50Ms: number;
  p99Ms: number;
  /** Active workers from the stats socket at the end of the second; null when it could not be read. */
  active: number | null;
}

/** One server through the whole ramp. */
export interface RampRun {
  name: string;
  description: string;
  /** How scaling is set up, for the report. */
  scaling: string;
  seconds: RampSecond[];
  completed: number;
  errors: number;
  /** Over the whole ramp. */
  p50Ms: number;
  p99Ms: number;
  /** Stats socket reads that failed. */
  statsMisses: number;
  /** CPU other people's processes used during the ramp. */
  foreign: ForeignCpu;
}

/** One server through the steady part: a ramp run at one concurrency, and how often its worker count moved. */
export interface SteadyRun extends RampRun {
  /** Seconds after the first `settleS` whose active worker count differs from the second before. */
  changesAfterSettle: number;
}

/** The steady part (issue 15): constant load with scaling on. */
export interface SteadyResult {
  seconds: number;
  concurrency: number;
  /** Seconds allowed for the first scaling before changes are counted. */
  settleS: number;
  runs: SteadyRun[];
}

/** The ramp part: the schedule and each server's run. */
export interface RampResult {
  /** Concurrency at each second. */
  schedule: number[];
  stepS: number;
  tailS: number;
  runs: RampRun[];
}

/** mltop's screen under load, for docs/mltop.md. */
export interface MltopCapture {
  date: string;
  /** The mltop command line, with the socket path as the reader would type it. */
  command: string;
  /** What loaded mlserve meanwhile. */
  load: string;
  width: number;
  height: number;
  screen: string[];
}

/** One route of the protocols part: a wrk run and its req/s as a share of GET /predict's. */
export interface ProtocolPoint extends LoadRun {
  route: string;
  path: string;
  /** okRps / GET /predict's okRps in the same run (1 for /predict itself). */
  share: number;
}

/** GET /predict and each client protocol's POST route at c=64 through nginx, one mlserve, one run. */
export interface ProtocolsResult {
  description: string;
  concurrency: number;
  durationS: number;
  warmupS: number;
  /** Distinct texts cycled through by the POST bodies. */
  texts: number;
  points: ProtocolPoint[];
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  command: string;
  machine: Machine;
  /** The wait for a quiet machine before the first measurement. */
  quiet: QuietWait;
  /** Parts that failed, with the first line of their error. */
  failures?: string[];
  /** Wall time of the whole run, s (filled in at the end). */
  totalS: number;
  model: string;
  sweep?: SweepResult;
  post?: PostResult;
  protocols?: ProtocolsResult;
  startup?: StartupResult;
  ramp?: RampResult;
  steady?: SteadyResult;
  mltop?: MltopCapture;
  families?: FamiliesResult;
  /** The load mlserve served while mltop was captured. */
  mltopLoad?: WrkResult;
}
