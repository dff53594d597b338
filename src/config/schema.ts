/**
 * The one source of truth for every mlserve option: its name (uWSGI spelling), aliases, type,
 * default, help text, constraints and whether a reload can change it. The `Config` type, the
 * ini reader, the environment, the CLI flags, `--help` and docs/config.md all derive from
 * `options`, so adding an option is adding one entry here.
 */

/** The value types an option can have; value-types.ts parses each. */
export type OptionType = 'int' | 'bool' | 'string' | 'enum' | 'path' | 'size' | 'mode' | 'address' | 'seconds' | 'endpoint' | 'strings' | 'paths';

/** Repeatable option types (`env = A=1` twice): every source's values add up, in order. */
export const listTypes: ReadonlySet<OptionType> = new Set(['strings', 'paths']);

interface OptionCommon {
  /** Other accepted spellings (uWSGI's), in the file, the environment and on the CLI. */
  readonly aliases?: readonly string[];
  /**
   * Written exactly as in mlserve.ini and parsed by the same code as a file value, so a default
   * obeys the option's own constraints; `null` means "off / not set" and lets an empty value
   * (`http =`) switch the option off.
   */
  readonly default: string | null;
  /** One line for `--help` and docs/config.md. */
  readonly help: string;
  /** False for what is bound once at start (listeners): a reload cannot change it. */
  readonly reloadable: boolean;
  /** An empty value (`socket =`) switches an option with a default off (null). */
  readonly emptyMeansOff?: boolean;
}

/** How one option is described. */
export type OptionSpec =
  | (OptionCommon & {
      readonly type: 'int';
      readonly min: number;
      readonly max?: number;
      /** `auto` is accepted too and means the CPUs this process may use (config/cpuLimit.ts), clamped to min..max. */
      readonly auto?: boolean;
    })
  | (OptionCommon & { readonly type: 'size'; readonly min?: number; readonly max?: number })
  | (OptionCommon & { readonly type: 'enum'; readonly values: readonly string[] })
  | (OptionCommon & { readonly type: 'bool' | 'string' | 'path' | 'mode' | 'address' | 'seconds' | 'endpoint' | 'strings' | 'paths' });

/** A TCP listener address: `host:port`, or `:port` for 127.0.0.1. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** A Unix socket path (absolute) or a TCP address, as uWSGI's `stats` takes: `host:port` is TCP. */
export type Endpoint = string | Address;

/**
 * Every option, keyed by its ini name. Order is the order of `--help` and docs/config.md.
 * Relative paths resolve against the config file's directory when written in the file, and
 * against the working directory otherwise (env, CLI, defaults).
 */
export const options = {
  socket: {
    type: 'path',
    default: 'run/mlserve.sock',
    emptyMeansOff: true,
    reloadable: false,
    help: "Unix socket the API listens on, speaking HTTP and uWSGI's uwsgi protocol (told apart per connection): nginx's proxy_pass or uwsgi_pass; empty = none (a container serving only on http)",
  },
  'http-socket': {
    type: 'endpoint',
    default: null,
    reloadable: false,
    help: 'an extra listener speaking HTTP only: a Unix socket path or HOST:PORT',
  },
  'uwsgi-socket': {
    type: 'endpoint',
    default: null,
    reloadable: false,
    help: "an extra listener speaking the uwsgi protocol only (nginx's uwsgi_pass): a Unix socket path or HOST:PORT",
  },
  http: {
    type: 'address',
    default: null,
    reloadable: false,
    help: 'optional TCP listener for local use, e.g. 127.0.0.1:8000 (":8000" means 127.0.0.1:8000)',
  },
  'chmod-socket': {
    type: 'mode',
    default: '660',
    reloadable: false,
    help: 'mode of the socket file(s) (octal)',
  },
  'chown-socket': {
    type: 'string',
    default: null,
    reloadable: false,
    help: 'owner of the socket file(s), USER or USER:GROUP (names or numbers), set before privileges are dropped',
  },
  'buffer-size': {
    type: 'size',
    min: 512,
    max: 65535,
    default: '4096',
    reloadable: false,
    help: "largest uwsgi vars block (uWSGI's buffer-size: all request headers together); a larger one is answered 431. Above ~15k it also raises the HTTP header limit",
  },
  'socket-timeout': {
    type: 'seconds',
    default: '4',
    reloadable: true,
    help: "seconds a uwsgi request (vars and body) has to arrive whole (uWSGI's socket-timeout); a slower sender is answered 408. On SIGTERM, also how long a connection that has sent nothing yet may take to begin its request",
  },
  uid: {
    type: 'string',
    default: null,
    reloadable: false,
    help: 'user (name or number) to run as: set once the sockets are bound, before any worker starts (needs root)',
  },
  gid: {
    type: 'string',
    default: null,
    reloadable: false,
    help: 'group (name or number) to run as, set with uid (supplementary groups: those of uid, or none)',
  },
  chdir: {
    type: 'path',
    default: null,
    reloadable: false,
    help: 'directory to change to at startup, after the config is read (its relative paths already resolved)',
  },
  env: {
    type: 'strings',
    default: null,
    reloadable: false,
    help: 'KEY=VALUE set in the environment before the workers start; repeat the key for more',
  },
  'touch-reload': {
    type: 'paths',
    default: null,
    reloadable: false,
    help: 'a file whose modification time changing triggers a graceful chain reload (as SIGHUP); repeatable',
  },
  'touch-chain-reload': {
    type: 'paths',
    default: null,
    reloadable: false,
    help: 'as touch-reload: every mlserve reload is a chain reload, one worker at a time',
  },
  'master-fifo': {
    type: 'path',
    default: null,
    reloadable: false,
    help: "uWSGI's master FIFO: write r or c (reload), q (graceful stop), + or - (one worker more or fewer), s (stats to the log)",
  },
  strict: {
    type: 'bool',
    default: 'false',
    reloadable: false,
    help: 'unknown keys in [uwsgi] are errors instead of placeholders (uWSGI strict mode)',
  },
  vacuum: {
    type: 'bool',
    default: 'true',
    reloadable: true,
    help: 'remove the socket file(s) on exit',
  },
  workers: {
    type: 'int',
    min: 1,
    max: 256,
    aliases: ['processes'],
    auto: true,
    default: '2',
    reloadable: true,
    help: 'worker threads; auto = the CPUs this process may use (smallest of cgroup cpu.max, cfs quota, cpuset, os.availableParallelism()), logged with its source',
  },
  // --- cheaper: adaptive worker count (uWSGI's cheaper subsystem; see docs/cheaper.md) ---
  cheaper: {
    type: 'int',
    min: 0,
    max: 255,
    default: '0',
    reloadable: true,
    help: 'fewest active workers when scaling; 0 = scaling off (all workers run). Must be lower than workers',
  },
  'cheaper-initial': {
    type: 'int',
    min: 0,
    max: 256,
    default: null,
    reloadable: true,
    help: 'workers started at boot when cheaper is on (unset: cheaper); clamped to [cheaper, workers] with a warning',
  },
  'cheaper-algo': {
    type: 'enum',
    values: ['spare', 'spare2', 'backlog', 'busyness', 'manual'],
    default: 'spare',
    reloadable: true,
    help: 'cheaper algorithm deciding when to spawn and cheap (stop) workers',
  },
  'cheaper-step': {
    type: 'int',
    min: 1,
    max: 256,
    default: '1',
    reloadable: true,
    help: 'most workers spawned at once (spare, spare2, backlog, busyness)',
  },
  'cheaper-overload': {
    type: 'int',
    min: 1,
    default: '3',
    reloadable: true,
    help: 'spare: check-interval cycles with every worker busy before spawning; backlog: queue length; busyness: window in seconds',
  },
  'cheaper-idle': {
    type: 'int',
    min: 1,
    default: '10',
    reloadable: true,
    help: 'spare2: cycles with more than cheaper idle workers before one is cheaped',
  },
  'cheaper-busyness-max': {
    type: 'int',
    min: 0,
    max: 100,
    default: '50',
    reloadable: true,
    help: 'busyness: average busy percent above which workers are spawned',
  },
  'cheaper-busyness-min': {
    type: 'int',
    min: 0,
    max: 100,
    default: '25',
    reloadable: true,
    help: 'busyness: average busy percent below which a worker is cheaped',
  },
  'cheaper-busyness-multiplier': {
    type: 'int',
    min: 1,
    default: '10',
    reloadable: true,
    help: 'busyness: workers must be idle for cheaper-overload * multiplier seconds before one is cheaped',
  },
  'cheaper-busyness-penalty': {
    type: 'int',
    min: 0,
    default: '2',
    reloadable: true,
    help: 'busyness: added to the multiplier when a worker is spawned again too soon after a cheap',
  },
  'cheaper-busyness-backlog-alert': {
    type: 'int',
    min: 0,
    default: '33',
    reloadable: true,
    help: 'busyness: spawn emergency workers whenever more requests than this wait in the queue',
  },
  'cheaper-busyness-backlog-multiplier': {
    type: 'int',
    min: 1,
    default: '3',
    reloadable: true,
    help: 'busyness: multiplier used instead of cheaper-busyness-multiplier while emergency workers run',
  },
  'cheaper-busyness-backlog-step': {
    type: 'int',
    min: 1,
    max: 256,
    default: '1',
    reloadable: true,
    help: 'busyness: emergency workers spawned at once',
  },
  'cheaper-busyness-backlog-nonzero': {
    type: 'int',
    min: 1,
    default: '60',
    reloadable: true,
    help: 'busyness: spawn emergency workers when the queue has not been empty for this many seconds',
  },
  'cheaper-rss-limit-soft': {
    type: 'size',
    min: 1,
    default: null,
    reloadable: true,
    help: 'total memory (RSS) of the active workers at which no more workers are spawned (cheaping still happens)',
  },
  'cheaper-rss-limit-hard': {
    type: 'size',
    min: 1,
    default: null,
    reloadable: true,
    help: 'total memory (RSS) of the active workers at which one worker is cheaped each cycle; must be higher than the soft limit',
  },
  'check-interval': {
    type: 'int',
    min: 1,
    max: 3600,
    default: '1',
    reloadable: true,
    help: "seconds between the master's checks (cheaper cycle, harakiri, memory)",
  },
  // --- worker recycling and timeouts (uWSGI names) ---
  harakiri: {
    type: 'seconds',
    default: '0',
    reloadable: true,
    help: 'seconds a request may run before its worker thread is killed and replaced; 0 = off',
  },
  'max-requests': {
    type: 'int',
    min: 0,
    default: '0',
    reloadable: true,
    help: 'recycle a worker after this many requests; 0 = off',
  },
  'max-requests-delta': {
    type: 'int',
    min: 0,
    default: '0',
    reloadable: true,
    help: 'slot N recycles after max-requests + (N - 1) * delta requests, so slots do not recycle together',
  },
  'min-worker-lifetime': {
    type: 'seconds',
    default: '10',
    reloadable: true,
    help: 'a worker younger than this is not recycled for max-requests or reload-on-rss',
  },
  'worker-max-heap': {
    type: 'size',
    min: 16777216,
    default: null,
    reloadable: true,
    help: "hard cap on a worker thread's V8 heap (Node's resourceLimits.maxOldGenerationSizeMb); past it the thread dies and is respawned. Does not bound wasm memory; see docs/architecture.md",
  },
  'reload-on-rss': {
    type: 'size',
    min: 1048576,
    default: null,
    reloadable: true,
    help: 'recycle a worker whose memory (RSS) passes this many bytes; uWSGI reads a bare number as megabytes, so write 512M',
  },
  model: {
    type: 'path',
    default: 'models/reuters',
    reloadable: true,
    help: 'model base directory with integer version subdirectories (TF Serving layout); the highest version is served',
  },
  'model-name': {
    type: 'string',
    default: null,
    reloadable: true,
    help: "the model's name in TF Serving, KServe V2 and SageMaker URLs (/v1/models/NAME); default: the model base directory's name",
  },
  backend: {
    type: 'enum',
    values: ['auto', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    reloadable: true,
    help: 'tfjs backend (when the fast path does not apply, or is off)',
  },
  'fast-path': {
    type: 'bool',
    default: 'true',
    reloadable: true,
    help: 'exact forward pass for Dense stacks over a bag of words or an averaged Embedding, in plain typed arrays (no tfjs in the workers); off = always tfjs',
  },
  'max-batch': {
    type: 'int',
    min: 1,
    max: 10000,
    default: '256',
    reloadable: true,
    help: 'most texts in one POST /predict',
  },
  'max-batch-size': {
    type: 'int',
    min: 1,
    max: 1024,
    default: '32',
    reloadable: true,
    help: 'most rows the dispatcher sends to a worker in one predict call',
  },
  'batch-timeout-micros': {
    type: 'int',
    min: 0,
    max: 10000000,
    default: '0',
    reloadable: true,
    help: 'longest a partial batch waits for more requests before it is sent (TF Serving batch_timeout_micros); 0 = never wait',
  },
  'batch-linger-micros': {
    type: 'int',
    min: 0,
    max: 1000000,
    default: '500',
    reloadable: true,
    help: 'longest a partial batch waits for more requests when its oldest request arrived while a batch ran or others waited; a request that arrives alone (c=1) never waits; 0 = off',
  },
  'max-enqueued-batches': {
    type: 'int',
    min: 1,
    max: 100000,
    default: '1000',
    reloadable: true,
    help: 'rows that may wait, in batches of max-batch-size (TF Serving max_enqueued_batches); beyond it 503 ERR_QUEUE_FULL',
  },
  listen: {
    type: 'int',
    min: 1,
    max: 100000,
    default: '1024',
    reloadable: true,
    help: "requests that may wait for a worker (uWSGI's listen queue, but ours: a waiting request costs a few hundred bytes and leaves in a batch); beyond it 503 ERR_QUEUE_FULL",
  },
  'max-body-size': {
    type: 'size',
    min: 1,
    default: '1048576',
    reloadable: true,
    help: 'largest request body in bytes (k, M, G suffixes are powers of 1024)',
  },
  'max-text-length': {
    type: 'int',
    min: 1,
    default: '100000',
    reloadable: true,
    help: 'longest text in characters',
  },
  'shutdown-timeout': {
    type: 'seconds',
    default: '30',
    reloadable: true,
    help: 'grace period to finish in-flight requests on SIGTERM/SIGINT',
  },
  'shutdown-delay': {
    type: 'seconds',
    default: '0',
    reloadable: true,
    help: 'on SIGTERM, seconds /readyz answers 503 draining while requests are still accepted and served (a Service takes a while to drop the endpoint), before the shutdown-timeout drain',
  },
  'keepalive-timeout': {
    type: 'seconds',
    default: '65',
    reloadable: true,
    help: "HTTP keep-alive timeout; keep it longer than nginx's upstream keepalive_timeout",
  },
  // --- stats: uWSGI's stats server and Prometheus /metrics (docs/stats.md) ---
  stats: {
    type: 'endpoint',
    default: null,
    reloadable: false,
    help: 'stats server (uwsgitop, mltop): a Unix socket path, or HOST:PORT for TCP; off when empty',
  },
  'stats-http': {
    type: 'bool',
    default: 'false',
    reloadable: false,
    help: 'the stats server answers HTTP (HTTP/1.0 200, application/json) instead of writing the document on connect',
  },
  'stats-minified': {
    type: 'bool',
    default: 'false',
    reloadable: false,
    help: 'write the stats document as one line of JSON instead of indented',
  },
  'chmod-stats': {
    type: 'mode',
    default: '600',
    reloadable: false,
    help: 'mode of the stats socket file (octal)',
  },
  metrics: {
    type: 'bool',
    default: 'true',
    reloadable: false,
    help: 'serve Prometheus metrics on GET /metrics',
  },
  'log-level': {
    type: 'enum',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
    reloadable: true,
    help: 'least severe log level written',
  },
  pidfile: {
    type: 'path',
    default: null,
    reloadable: false,
    help: "file the master writes its pid to (removed on exit); `mlserve reload` and `mlserve workers +1` find the master through it",
  },
  'log-format': {
    type: 'enum',
    values: ['json', 'pretty'],
    default: 'json',
    reloadable: true,
    help: 'json: one object per line (journald, jq); pretty: for humans in development',
  },
} as const satisfies Record<string, OptionSpec>;

/** An option's ini name, e.g. `'max-body-size'`. */
export type OptionName = keyof typeof options;

/** `'max-body-size'` -> `'maxBodySize'`, at the type level. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

interface ValueTypes {
  int: number;
  bool: boolean;
  string: string;
  path: string;
  size: number;
  mode: number;
  address: Address;
  seconds: number;
  endpoint: Endpoint;
  strings: readonly string[];
  paths: readonly string[];
}

/** The parsed value type of one option spec (an enum gives the union of its values). */
type ValueOf<S> = S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
  ? V
  : S extends { readonly type: infer T extends keyof ValueTypes }
    ? ValueTypes[T]
    : never;

// An unset repeatable option is an empty list, never null.
type WithNull<S, V> = S extends { readonly type: 'strings' | 'paths' } ? V : S extends { readonly default: null } | { readonly emptyMeansOff: true } ? V | null : V;

/**
 * The resolved configuration: one camelCase field per option, derived from `options`, so a key
 * added to the schema appears here (and a field that is not in the schema cannot exist).
 * Paths are absolute; sizes are bytes; modes are numbers (0o660); seconds are numbers.
 */
export type Config = {
  readonly [K in OptionName as CamelCase<K>]: WithNull<(typeof options)[K], ValueOf<(typeof options)[K]>>;
};

/** Every option name, in schema order. */
export const optionNames: readonly OptionName[] = Object.freeze(Object.keys(options) as OptionName[]);

/** `'max-body-size'` -> `'maxBodySize'`: the Config field of an option. */
export function fieldName<K extends OptionName>(name: K): CamelCase<K> {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as CamelCase<K>;
}

const byName: ReadonlyMap<string, OptionName> = new Map(
  optionNames.flatMap((name) => {
    const spec: OptionSpec = options[name];
    return [name, ...(spec.aliases ?? [])].map((spelling) => [spelling, name] as const);
  }),
);

/** The option a name or alias refers to (`'processes'` -> `'workers'`), or undefined. */
export function findOption(nameOrAlias: string): OptionName | undefined {
  return byName.get(nameOrAlias);
}

/** Every spelling the schema accepts: names and aliases. */
export function optionSpellings(): string[] {
  return [...byName.keys()];
}
