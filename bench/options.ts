import { parseArgs } from 'node:util';

/** The parts of a bench run, in the order they run. */
export const PARTS = ['sweep', 'post', 'startup', 'ramp', 'mltop'] as const;
/** One of {@link PARTS}. */
export type Part = (typeof PARTS)[number];

/** The servers of the concurrency sweep. */
export const SERVERS = ['mlserve', 'peer', 'hello', 'uwsgi-pass'] as const;
/**
 * One of {@link SERVERS}: mlserve, the uWSGI peer, the hello-world ceiling, and mlserve behind the
 * seed's own nginx site (uwsgi_pass, a new upstream connection a request; swept at c=64 only).
 */
export type ServerName = (typeof SERVERS)[number];

/** Everything `npm run bench` can be told; see {@link USAGE}. */
export interface BenchOptions {
  parts: Part[];
  servers: ServerName[];
  quick: boolean;
  /** Measured seconds per sweep point and for the POST run. */
  durationS: number;
  /** Seconds of the same load before each measured run. */
  warmupS: number;
  concurrencies: number[];
  /** wrk threads (fewer when the concurrency is lower: wrk needs -c >= -t). */
  threads: number;
  /** Reuters test texts cycled through by GET. */
  texts: number;
  /** mlserve's workers in the sweep, POST and startup parts. */
  workers: number;
  post: { connections: number; bodies: number; size: number };
  startupRuns: number;
  ramp: { peak: number; stepS: number; tailS: number; mlserveArgs: string[] };
  /** Seconds of load on mlserve before mltop's screen is captured. */
  mltopLoadS: number;
  /** Extra attempts at a sweep point or POST run that other processes disturbed (> 10% of the CPUs). */
  retries: number;
  /** Wait up to this long for the 1-min load average to drop below {@link quietLoad} before measuring. */
  waitQuietS: number;
  quietLoad: number;
  /** Where the report goes; undefined: printed only. */
  out: string | undefined;
  /** --out was given: the report is written even when a part failed. */
  outGiven: boolean;
  /** Also write every figure as JSON here. */
  json: string | undefined;
  help: boolean;
}

/** The cheaper setup the ramp runs mlserve with, unless --ramp-mlserve says otherwise. */
export const RAMP_MLSERVE_ARGS = '--workers 8 --cheaper 1 --cheaper-algo spare';

/** `npm run bench -- --help`. */
export const USAGE = `npm run bench -- [options]

Parts (all by default): --only sweep,post,startup,ramp,mltop
  sweep    GET /predict through nginx at each --concurrency, for --servers mlserve,peer,hello
           (and uwsgi-pass: mlserve behind the seed's nginx site, uwsgi_pass, at c=64 only)
  post     POST /predict with --post-size texts a request against mlserve through nginx
  startup  mlserve spawn to the first 200 on its socket (--startup-runs), and the peer's
  ramp     load rising and falling (--ramp-*), latency and active workers each second, mlserve and peer
  mltop    mltop's screen (tmux) under load into docs/mltop.md (--mltop-capture; --no-mltop-capture skips it)

  --quick                  a short smoke run (2 s points, c=1,64, a short ramp); writes no docs
  --duration S             measured seconds per point (8)        --warmup S      warm-up per point (2)
  --concurrency LIST       sweep points (1,16,64,256)            --threads N     wrk threads (2)
  --servers LIST           mlserve,peer,hello,uwsgi-pass         --texts N       GET texts (500)
  --workers N              mlserve workers (2)
  --post-connections N     (8)   --post-bodies N  different bodies (8)   --post-size N  texts a body (256)
  --startup-runs N         (5)
  --ramp-peak N (64)  --ramp-step S seconds a level (9)  --ramp-tail S idle seconds at the end (15)
  --ramp-mlserve "ARGS"    mlserve's flags in the ramp ("${RAMP_MLSERVE_ARGS}")
  --mltop-load S           load before the capture (20)
  --wait-quiet S           wait up to S for load average < --quiet-load before measuring (180; 0: don't)
  --quiet-load X           (0.5)
  --retries N              measure a point again when other processes took > 10% of the CPUs
                           (2; --quick 0; at most 120 s of retries a run)
  --out FILE               report path (docs/benchmarks.md for a full run; charts go to DIR/bench/)
  --json FILE              every figure as JSON
`;

const FULL = {
  duration: '8',
  warmup: '2',
  concurrency: '1,16,64,256',
  'startup-runs': '5',
  'ramp-peak': '64',
  'ramp-step': '9',
  'ramp-tail': '15',
  'mltop-load': '20',
  'wait-quiet': '180',
  retries: '2',
};
const QUICK: typeof FULL = {
  duration: '2',
  warmup: '1',
  concurrency: '1,64',
  'startup-runs': '2',
  'ramp-peak': '8',
  'ramp-step': '2',
  'ramp-tail': '4',
  'mltop-load': '6',
  'wait-quiet': '0',
  retries: '0',
};

/**
 * Parses the bench's arguments; throws a RangeError naming the flag on a bad value.
 * `defaultOut` is where a full (not --quick, every part and server) run writes its report.
 */
export function parseBenchOptions(argv: readonly string[], defaultOut?: string): BenchOptions {
  // node 20's parseArgs has no --no-X form: the one negative flag is taken out by hand.
  const noCapture = argv.includes('--no-mltop-capture');
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--no-mltop-capture'),
    strict: true,
    options: {
      only: { type: 'string' },
      servers: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      'mltop-capture': { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string', default: '2' },
      texts: { type: 'string', default: '500' },
      workers: { type: 'string', default: '2' },
      'post-connections': { type: 'string', default: '8' },
      'post-bodies': { type: 'string', default: '8' },
      'post-size': { type: 'string', default: '256' },
      'startup-runs': { type: 'string' },
      'ramp-peak': { type: 'string' },
      'ramp-step': { type: 'string' },
      'ramp-tail': { type: 'string' },
      'ramp-mlserve': { type: 'string', default: RAMP_MLSERVE_ARGS },
      'mltop-load': { type: 'string' },
      'wait-quiet': { type: 'string' },
      retries: { type: 'string' },
      'quiet-load': { type: 'string', default: '0.5' },
      out: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const preset = quick ? QUICK : FULL;
  const pick = (name: keyof typeof FULL): string => (values[name] as string | undefined) ?? preset[name];
  const int = (name: string, value: string, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
    return n;
  };
  const list = <T extends string>(name: string, value: string, allowed: readonly T[]): T[] => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
    if (items.length === 0 || bad.length > 0) throw new RangeError(`--${name} takes a list of ${allowed.join(', ')}; got ${value}`);
    return allowed.filter((a) => items.includes(a)); // canonical order, no duplicates
  };

  let parts: Part[] = values.only === undefined ? [...PARTS] : list('only', values.only, PARTS);
  if (values['mltop-capture'] && !parts.includes('mltop')) parts = PARTS.filter((p) => p === 'mltop' || parts.includes(p));
  if (noCapture) parts = parts.filter((p) => p !== 'mltop');
  const servers = values.servers === undefined ? [...SERVERS] : list('servers', values.servers, SERVERS);
  const concurrencies = pick('concurrency').split(',').map((c) => int('concurrency', c.trim(), 1, 1000));
  const quietLoad = Number(values['quiet-load']);
  if (!(quietLoad > 0)) throw new RangeError(`--quiet-load must be a positive number, got ${values['quiet-load']}`);
  const full = !quick && parts.length === PARTS.length && servers.length === SERVERS.length;

  return {
    parts,
    servers,
    quick,
    durationS: int('duration', pick('duration'), 1, 600),
    warmupS: int('warmup', pick('warmup'), 0, 60),
    concurrencies: [...new Set(concurrencies)].sort((a, b) => a - b),
    threads: int('threads', values.threads, 1, 64),
    texts: int('texts', values.texts, 1, 2000),
    workers: int('workers', values.workers, 1, 64),
    post: {
      connections: int('post-connections', values['post-connections'], 1, 256),
      bodies: int('post-bodies', values['post-bodies'], 1, 64),
      size: int('post-size', values['post-size'], 1, 256),
    },
    startupRuns: int('startup-runs', pick('startup-runs'), 1, 50),
    ramp: {
      peak: int('ramp-peak', pick('ramp-peak'), 1, 512),
      stepS: int('ramp-step', pick('ramp-step'), 1, 120),
      tailS: int('ramp-tail', pick('ramp-tail'), 0, 300),
      mlserveArgs: values['ramp-mlserve'].split(/\s+/).filter(Boolean),
    },
    mltopLoadS: int('mltop-load', pick('mltop-load'), 2, 300),
    waitQuietS: int('wait-quiet', pick('wait-quiet'), 0, 1800),
    retries: int('retries', pick('retries'), 0, 10),
    quietLoad,
    out: values.out ?? (full ? defaultOut : undefined),
    outGiven: values.out !== undefined,
    json: values.json,
    help: values.help === true,
  };
}
