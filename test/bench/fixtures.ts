import type { Machine } from '../../bench/machine.js';
import type { ServerName } from '../../bench/options.js';
import type { BenchResults, LoadRun, RampRun, SweepPoint } from '../../bench/results.js';
import type { WrkResult } from '../../bench/wrk.js';

/** A wrk result with `rps`, p50 and p99 as given and the rest plausible. */
export function wrk(rps: number, p50: number, p99: number, errors = 0): WrkResult {
  return {
    requests: rps * 8,
    durationS: 8,
    rps,
    latencyMs: { mean: p50, p50, p90: (p50 + p99) / 2, p99, max: p99 * 2 },
    errors: { connect: 0, read: 0, write: 0, timeout: 0, non2xx: errors },
    errorsTotal: errors,
    statuses: errors > 0 ? { '503': errors } : {},
    okRps: rps - errors / 8,
    command: 'wrk -t2 -c64 -d8s --timeout 5s -s get.lua http://127.0.0.1:PORT/',
  };
}

export function run(w: WrkResult, foreignShare = 0): LoadRun {
  return { wrk: w, memAfter: { processes: 1, rssKiB: 300 * 1024, pssKiB: 290 * 1024 }, foreign: { cpuS: 0, share: foreignShare, top: ['tsc (42) 1.0 s'] }, attempts: 1 };
}

export function point(server: ServerName, concurrency: number, w: WrkResult): SweepPoint {
  return { server, concurrency, ...run(w) };
}

export const machine: Machine = {
  date: '2026-11-21T06:00:00.000Z',
  cpus: 2,
  cpuModel: 'AMD EPYC',
  memoryGiB: 23.5,
  kernel: '6.18',
  loadAverage: 0.3,
  node: 'v20.20.2',
  nginx: '1.22.1',
  uwsgi: '2.0.21',
  wrk: '4.1.0',
  python: '3.11.2',
};

export function rampRun(name: string, errors = 0): RampRun {
  return {
    name,
    description: name,
    scaling: 'spare',
    seconds: [0, 1, 2, 3].map((t) => ({ t, concurrency: [1, 2, 1, 0][t]!, completed: 100, errors: 0, p50Ms: 1, p99Ms: t === 3 ? Number.NaN : 3, active: [1, 2, 2, 1][t]! })),
    completed: 400,
    errors,
    p50Ms: 1,
    p99Ms: 3,
    statsMisses: 0,
    foreign: { cpuS: 0, share: 0, top: [] },
  };
}

/** Results of a whole run in which mlserve meets every target. */
export function fullResults(): BenchResults {
  return {
    command: 'npm run bench',
    machine,
    quiet: { waitedS: 0, loadBefore: 0.3, loadAfter: 0.3, quiet: true, threshold: 0.5, maxS: 180 },
    totalS: 540,
    model: 'models/reuters/1',
    sweep: {
      servers: [
        { server: 'mlserve', name: 'mlserve', description: 'mlserve --workers 2' },
        { server: 'peer', name: 'uwsgi-flask', description: 'uWSGI' },
        { server: 'hello', name: 'hello-world', description: 'hono' },
        { server: 'uwsgi-pass', name: 'mlserve uwsgi_pass', description: "mlserve behind the seed's nginx site" },
      ],
      points: [
        point('mlserve', 1, wrk(2500, 0.4, 1)),
        point('peer', 1, wrk(1600, 0.6, 1)),
        point('hello', 1, wrk(8000, 0.1, 0.5)),
        point('mlserve', 64, wrk(12000, 4, 9)),
        point('peer', 64, wrk(3500, 18, 24)),
        point('hello', 64, wrk(20000, 2, 8)),
        point('uwsgi-pass', 64, wrk(11000, 5, 10)),
      ],
      durationS: 8,
      warmupS: 2,
      texts: 500,
      maxTextBytes: 1500,
    },
    post: {
      ...run(wrk(250, 30, 60)),
      description: 'mlserve --workers 2',
      connections: 8,
      durationS: 8,
      warmupS: 2,
      size: 256,
      bodies: 8,
      textsCut: 0,
      largestBytes: 232_000,
      smallestBytes: 198_000,
      maxBodyBytes: 1048576,
      predictionsPerS: 64_000,
    },
    startup: { probe: 'GET /predict every 5 ms', servers: [{ name: 'mlserve', description: 'mlserve', runsMs: [500, 480, 510], medianMs: 500, selfReportedMs: [470, 460, 480] }] },
    ramp: { schedule: [1, 2, 1, 0], stepS: 1, tailS: 1, runs: [rampRun('mlserve'), rampRun('uwsgi-flask')] },
  };
}
