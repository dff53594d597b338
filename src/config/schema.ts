/**
 * The one source of truth for every mlserve option: its name (uWSGI spelling), aliases, type,
 * default, help text, constraints and whether a reload can change it. The `Config` type, the
 * ini reader, the environment, the CLI flags, `--help` and docs/config.md all derive from
 * `options`, so adding an option is adding one entry here.
 */

/** The value types an option can have; value-types.ts parses each. */
export type OptionType = 'int' | 'bool' | 'string' | 'enum' | 'path' | 'size' | 'mode' | 'address' | 'seconds';

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
}

/** How one option is described. */
export type OptionSpec =
  | (OptionCommon & { readonly type: 'int'; readonly min: number; readonly max?: number })
  | (OptionCommon & { readonly type: 'size'; readonly min?: number; readonly max?: number })
  | (OptionCommon & { readonly type: 'enum'; readonly values: readonly string[] })
  | (OptionCommon & { readonly type: 'bool' | 'string' | 'path' | 'mode' | 'address' | 'seconds' });

/** A TCP listener address: `host:port`, or `:port` for 127.0.0.1. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Every option, keyed by its ini name. Order is the order of `--help` and docs/config.md.
 * Relative paths resolve against the config file's directory when written in the file, and
 * against the working directory otherwise (env, CLI, defaults).
 */
export const options = {
  socket: {
    type: 'path',
    default: 'run/mlserve.sock',
    reloadable: false,
    help: 'Unix socket the HTTP API listens on (nginx proxies to it)',
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
    help: 'mode of the socket file (octal)',
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
    default: '2',
    reloadable: true,
    help: 'worker threads',
  },
  model: {
    type: 'path',
    default: 'models/reuters',
    reloadable: true,
    help: 'model base directory with integer version subdirectories (TF Serving layout); the highest version is served',
  },
  backend: {
    type: 'enum',
    values: ['auto', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    reloadable: true,
    help: 'tfjs backend',
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
  listen: {
    type: 'int',
    min: 1,
    max: 100000,
    default: '100',
    reloadable: true,
    help: 'requests that may wait for a worker; beyond it 503 ERR_QUEUE_FULL',
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
  'keepalive-timeout': {
    type: 'seconds',
    default: '65',
    reloadable: true,
    help: "HTTP keep-alive timeout; keep it longer than nginx's upstream keepalive_timeout",
  },
  'log-level': {
    type: 'enum',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
    reloadable: true,
    help: 'least severe log level written',
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
}

/** The parsed value type of one option spec (an enum gives the union of its values). */
type ValueOf<S> = S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
  ? V
  : S extends { readonly type: infer T extends keyof ValueTypes }
    ? ValueTypes[T]
    : never;

type WithNull<S, V> = S extends { readonly default: null } ? V | null : V;

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
