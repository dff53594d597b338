/**
 * A value {@link pythonJsonDumps} can write. Maps keep their insertion order even for keys like
 * "1987", which a plain object would move to the front: that is why the tokenizer keeps Maps.
 */
export type PythonJsonValue =
  | null
  | boolean
  | number
  | string
  | readonly PythonJsonValue[]
  | ReadonlyMap<string | number, PythonJsonValue>
  | { readonly [key: string]: PythonJsonValue };

/**
 * Python's `json.dumps(value)` with its defaults: separators `", "` and `": "`, `ensure_ascii`
 * (non-ASCII as lower-case `\uXXXX`, astral characters as surrogate pairs), number keys as strings.
 * Keras writes `Tokenizer.to_json()` this way, and we must produce it byte for byte.
 * Integral numbers are written as Python ints (JS cannot tell `1.0` from `1`).
 *
 * @example
 * pythonJsonDumps(new Map([['café', 2]])) // '{"caf\\u00e9": 2}'
 */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  const parts = entries.map(
    ([k, v]) => `${pythonString(typeof k === 'number' ? pythonNumber(k) : k)}: ${pythonJsonDumps(v)}`,
  );
  return `{${parts.join(', ')}}`;
}

// Everything but printable ASCII without '"' and '\\': what json.dumps escapes.
const ESCAPED = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};

function escapeChar(c: string): string {
  // UTF-16 code units are exactly Python's surrogate-pair escapes for astral characters.
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function pythonString(s: string): string {
  return `"${s.replace(ESCAPED, escapeChar)}"`;
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  // Python's float repr goes scientific below 1e-4 ("1e-05"); JS only below 1e-6.
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  return e < -4 ? `${mantissa}e-${String(-e).padStart(2, '0')}` : String(n);
}

/**
 * Parses a flat JSON object (string keys; string, number, boolean or null values) into a Map in
 * the text's key order. `JSON.parse` would move integer-like keys ("1987") first and lose the
 * order Keras wrote word counts in.
 */
export function parseFlatJsonObject(text: string): Map<string, string | number | boolean | null> {
  const out = new Map<string, string | number | boolean | null>();
  const open = /\s*\{\s*/y;
  if (!open.test(text)) throw new SyntaxError('expected a JSON object');
  const empty = /\}\s*$/y;
  empty.lastIndex = open.lastIndex;
  if (empty.test(text)) return out;
  const member =
    /"((?:[^"\\]|\\.)*)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)\s*([,}])\s*/y;
  member.lastIndex = open.lastIndex;
  for (;;) {
    const at = member.lastIndex;
    const m = member.exec(text);
    if (m === null) throw new SyntaxError(`unexpected JSON at position ${at} (expected "key": value)`);
    out.set(jsonString(m[1] as string), jsonValue(m[2] as string));
    if (m[3] === '}') break;
  }
  if (member.lastIndex !== text.length) {
    throw new SyntaxError(`unexpected JSON at position ${member.lastIndex} (after the object)`);
  }
  return out;
}

// JSON.parse only when needed: a tokenizer.json holds ~150k keys and values, almost all plain.
function jsonString(raw: string): string {
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

function jsonValue(raw: string): string | number | boolean | null {
  if (raw.startsWith('"')) return jsonString(raw.slice(1, -1));
  if (raw === 'true' || raw === 'false' || raw === 'null') return JSON.parse(raw) as boolean | null;
  return Number(raw);
}
