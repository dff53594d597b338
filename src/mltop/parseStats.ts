/**
 * Parses a stats document. uWSGI writes strings without escaping them (a `"` or `\` in a cwd
 * or a request var, a raw newline or tab), so its JSON can be invalid; when JSON.parse fails,
 * {@link repairJson} escapes what uWSGI should have and parsing is tried again.
 *
 * @throws SyntaxError when the text is not JSON even after the repair.
 * @example
 * parseStats('{"cwd":"/srv/a"b"}') // { cwd: '/srv/a"b' }
 */
export function parseStats(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    try {
      return JSON.parse(repairJson(text));
    } catch {
      throw new SyntaxError(`the stats document is not JSON: ${(first as Error).message}`);
    }
  }
}

const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const CONTROL: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Escapes, inside JSON strings, what an unescaping writer left raw: control characters, a
 * backslash that starts no valid escape, and a quote that cannot end the string (the next
 * non-blank character is not `,` `:` `}` `]` or the end). Text outside strings is kept.
 */
export function repairJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!inString) {
      if (ch === '"') inString = true;
      out += ch;
      continue;
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== undefined && SIMPLE_ESCAPES.has(next)) {
        // `\"` may itself be a raw backslash before the closing quote (a path ending in `\`).
        if (next === '"' && endsString(text, i + 2) && !endsString(text, findQuote(text, i + 2))) {
          out += '\\\\';
          continue;
        }
        out += ch + next;
        i++;
      } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += text.slice(i, i + 6);
        i += 5;
      } else {
        out += '\\\\';
      }
      continue;
    }
    if (ch === '"') {
      if (endsString(text, i + 1)) {
        inString = false;
        out += ch;
      } else {
        out += '\\"';
      }
      continue;
    }
    const code = ch.charCodeAt(0);
    out += code < 0x20 ? (CONTROL[ch] ?? `\\u${code.toString(16).padStart(4, '0')}`) : ch;
  }
  return out;
}

// True when a quote just before `from` can close a string: what follows is a separator.
function endsString(text: string, from: number): boolean {
  if (from < 0) return false;
  for (let j = from; j < text.length; j++) {
    const c = text[j]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    return c === ',' || c === ':' || c === '}' || c === ']';
  }
  return true;
}

// The index just after the next `"` from `from`, or -1.
function findQuote(text: string, from: number): number {
  const j = text.indexOf('"', from);
  return j < 0 ? -1 : j + 1;
}
