import { basename, dirname, extname, resolve, sep } from 'node:path';
import { MlserveError } from '../errors.js';

/** The sections mlserve reads, weakest first: `[mlserve]` wins over `[uwsgi]` on conflict. */
export const iniSections = ['uwsgi', 'mlserve'] as const;

/** A section mlserve reads. */
export type IniSection = (typeof iniSections)[number];

/** One `key = value` line of a section mlserve reads, magic variables expanded. */
export interface IniEntry {
  readonly section: IniSection;
  readonly key: string;
  readonly value: string;
  /** 1-based, for messages such as `config/mlserve.ini:4: ...`. */
  readonly line: number;
}

/** What {@link parseIni} needs besides the text. */
export interface IniContext {
  /** The file name as the user wrote it; prefixes every message. */
  readonly fileName: string;
  /** Directory `fileName` is relative to; with it `%d` and `%p` are absolute. */
  readonly cwd: string;
  /** For `$(NAME)`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Entries in file order (repeats kept: resolveConfig decides who wins) and warnings. */
export interface IniResult {
  readonly entries: IniEntry[];
  readonly warnings: string[];
}

/**
 * Parses uWSGI's ini dialect: `[section]`, `key = value`, `#` and `;` comment lines, and the
 * magic `%d` (the file's directory, with a trailing slash), `%n` (file name without extension),
 * `%p` (the file's absolute path), `%%` and `$(NAME)` (environment). Only `[mlserve]` and
 * `[uwsgi]` entries are returned; other sections are skipped, as `uwsgi --ini file:section` does.
 * As in uWSGI there are no inline comments: `workers = 2 # two` has the value `2 # two`.
 *
 * @throws MlserveError ERR_CONFIG_SYNTAX naming `file:line` for a malformed line, an unknown
 *   magic variable or an unset environment variable.
 * @example
 * parseIni('[mlserve]\nworkers = 4\n', { fileName: 'a.ini', cwd: '/srv', env: {} }).entries
 * // [{ section: 'mlserve', key: 'workers', value: '4', line: 2 }]
 */
export function parseIni(text: string, ctx: IniContext): IniResult {
  const path = resolve(ctx.cwd, ctx.fileName);
  const magic: Readonly<Record<string, string>> = {
    d: dirname(path) + (dirname(path).endsWith(sep) ? '' : sep),
    n: basename(path, extname(path)),
    p: path,
    '%': '%',
  };
  const entries: IniEntry[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  let section: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const where = `${ctx.fileName}:${line}`;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (trimmed.startsWith('[')) {
      const m = /^\[\s*([^\][]+?)\s*\]$/.exec(trimmed);
      if (!m) throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: malformed section header ${JSON.stringify(trimmed)}`);
      section = m[1]!;
      seen.add(section);
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq === -1) {
      throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: expected "key = value" or "[section]", got ${JSON.stringify(trimmed)}`);
    }
    const key = trimmed.slice(0, eq).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(key)) {
      throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: malformed key ${JSON.stringify(key)} before "="`);
    }
    if (section === null) {
      warnings.push(`${where}: "${key}" is outside any section and is ignored; put it under [mlserve]`);
      return;
    }
    if (!isRead(section)) return;
    const value = expand(trimmed.slice(eq + 1).trim(), magic, ctx.env, where);
    entries.push({ section, key, value, line });
  });
  if (seen.size > 0 && ![...seen].some(isRead)) {
    warnings.push(`${ctx.fileName}: no [mlserve] or [uwsgi] section (found ${[...seen].map((s) => `[${s}]`).join(', ')}); nothing was read`);
  }
  return { entries, warnings };
}

function isRead(section: string): section is IniSection {
  return (iniSections as readonly string[]).includes(section);
}

// One pass, so text that $(NAME) brings in is never expanded again.
function expand(value: string, magic: Readonly<Record<string, string>>, env: IniContext['env'], where: string): string {
  return value.replace(/%(.?)|\$\(([^)]*)\)/gs, (token, letter: string | undefined, name: string | undefined) => {
    if (name !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: malformed environment reference ${JSON.stringify(token)}`);
      }
      const found = env[name];
      if (found === undefined) {
        throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: environment variable ${name} is not set (used as $(${name}))`);
      }
      return found;
    }
    const replacement = magic[letter ?? ''];
    if (replacement === undefined) {
      throw new MlserveError(
        'ERR_CONFIG_SYNTAX',
        `${where}: unsupported magic variable ${JSON.stringify(token)}; mlserve knows %d, %n, %p and %% (write %% for a literal %)`,
      );
    }
    return replacement;
  });
}
