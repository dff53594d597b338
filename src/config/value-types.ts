import { resolve } from 'node:path';
import type { Address, Endpoint, OptionSpec, OptionType } from './schema.js';

/** The outcome of parsing one raw value: the value, or what was expected instead. */
export type ParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly expected: string };

interface ValueType {
  /** Placeholder in `--help`, e.g. `N`, `PATH`. */
  metavar(spec: OptionSpec): string;
  /** What a valid value looks like, completing "expected ...". */
  expected(spec: OptionSpec): string;
  /** The value, or undefined when `raw` (trimmed, non-empty) is not valid. */
  parse(raw: string, spec: OptionSpec, baseDir: string): unknown;
  /** The value written back the way mlserve.ini spells it. */
  format(value: unknown): string;
}

const bools: Readonly<Record<string, boolean>> = {
  true: true, yes: true, on: true, '1': true,
  false: false, no: false, off: false, '0': false,
};

const sizeUnits: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function range(spec: OptionSpec): { min: number; max: number } {
  const min = 'min' in spec && spec.min !== undefined ? spec.min : 0;
  const max = 'max' in spec && spec.max !== undefined ? spec.max : Number.MAX_SAFE_INTEGER;
  return { min, max };
}

function inRange(n: number, spec: OptionSpec): number | undefined {
  const { min, max } = range(spec);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

function describeRange(spec: OptionSpec): string {
  const { min, max } = range(spec);
  return max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
}

const plain = (value: unknown): string => String(value);

/** One entry per value type: adding a type is adding an entry here and in schema's OptionType. */
export const valueTypes: Readonly<Record<OptionType, ValueType>> = {
  int: {
    metavar: () => 'N',
    expected: (spec) => `an integer ${describeRange(spec)}`,
    parse: (raw, spec) => (/^[+-]?\d+$/.test(raw) ? inRange(Number(raw), spec) : undefined),
    format: plain,
  },
  bool: {
    metavar: () => '',
    expected: () => 'a boolean: true/false, yes/no, on/off or 1/0',
    parse: (raw) => bools[raw.toLowerCase()],
    format: plain,
  },
  string: {
    metavar: () => 'TEXT',
    expected: () => 'a string',
    parse: (raw) => raw,
    format: plain,
  },
  enum: {
    metavar: (spec) => ('values' in spec ? spec.values.join('|') : ''),
    expected: (spec) => `one of ${'values' in spec ? spec.values.join(', ') : ''}`,
    parse: (raw, spec) => ('values' in spec ? spec.values.find((v) => v === raw.toLowerCase()) : undefined),
    format: plain,
  },
  path: {
    metavar: () => 'PATH',
    expected: () => 'a file system path',
    parse: (raw, _spec, baseDir) => resolve(baseDir, raw),
    format: plain,
  },
  size: {
    metavar: () => 'BYTES',
    expected: (spec) => `a size in bytes ${describeRange(spec)}, e.g. 1048576, 512k or 1M`,
    parse: (raw, spec) => {
      const m = /^(\d+)([kmg]?)$/i.exec(raw);
      return m ? inRange(Number(m[1]) * (sizeUnits[m[2]!.toLowerCase()] ?? NaN), spec) : undefined;
    },
    format: plain,
  },
  mode: {
    metavar: () => 'MODE',
    expected: () => 'an octal file mode such as 660 or 0660',
    parse: (raw) => (/^[0-7]{3,4}$/.test(raw) ? parseInt(raw, 8) : undefined),
    format: (value) => (value as number).toString(8).padStart(4, '0'),
  },
  address: {
    metavar: () => 'HOST:PORT',
    expected: () => 'HOST:PORT or :PORT with a port from 1 to 65535, e.g. 127.0.0.1:8000',
    parse: (raw): Address | undefined => {
      // [::1]:8000 for IPv6; a bare ':8000' means loopback (uWSGI would bind every interface).
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]*)):(\d{1,5})$/.exec(raw);
      const port = m ? Number(m[3]) : 0;
      if (!m || port < 1 || port > 65535) return undefined;
      return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
    },
    format: (value) => {
      const { host, port } = value as Address;
      return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    },
  },
  endpoint: {
    metavar: () => 'PATH|HOST:PORT',
    expected: () => 'a Unix socket path, or HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:9191)',
    // uWSGI's rule for `stats`: an address with a colon is TCP, anything else a socket path.
    // A colon after a `/` belongs to a path (`run/a:b.sock`).
    parse: (raw, spec, baseDir): Endpoint | undefined => {
      if (/^[^/]*:\d*$/.test(raw) || /^\[[0-9a-fA-F:.]+\]:\d*$/.test(raw)) {
        return valueTypes.address.parse(raw, spec, baseDir) as Address | undefined;
      }
      return resolve(baseDir, raw);
    },
    format: (value) => (typeof value === 'string' ? value : valueTypes.address.format(value)),
  },
  strings: {
    metavar: () => 'TEXT',
    expected: () => 'a non-empty string',
    parse: (raw) => raw,
    format: (value) => (Array.isArray(value) ? value.join(' ') : String(value)),
  },
  paths: {
    metavar: () => 'PATH',
    expected: () => 'a file system path',
    parse: (raw, _spec, baseDir) => resolve(baseDir, raw),
    format: (value) => (Array.isArray(value) ? value.join(' ') : String(value)),
  },
  seconds: {
    metavar: () => 'SECONDS',
    expected: () => 'a non-negative number of seconds',
    parse: (raw) => (/^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : undefined),
    format: plain,
  },
};

/**
 * Parses one raw value (from the file, the environment, a flag or the schema default) for `spec`.
 * An empty value switches off an option whose default is null (`http =`); relative paths resolve
 * against `baseDir`.
 *
 * @example
 * parseValue(options['max-body-size'], '512k', '/srv') // { ok: true, value: 524288 }
 */
export function parseValue(spec: OptionSpec, raw: string, baseDir: string): ParseResult {
  const type = valueTypes[spec.type];
  const text = raw.trim();
  if (text === '' && spec.default === null) return { ok: true, value: null };
  const value = text === '' && spec.type !== 'string' ? undefined : type.parse(text, spec, baseDir);
  return value === undefined ? { ok: false, expected: type.expected(spec) } : { ok: true, value };
}

/** A parsed value written back as mlserve.ini spells it (`0660`, `127.0.0.1:8000`); null is `''`. */
export function formatValue(spec: OptionSpec, value: unknown): string {
  return value === null ? '' : valueTypes[spec.type].format(value);
}
