import { basename, dirname, extname, resolve, sep } from 'node:path';
import { MlserveError } from '../errors.js';
import { didYouMean } from './suggest.js';

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
  /** `--set-ph name=value` from the command line: they win over the file's keys. */
  readonly placeholders?: ReadonlyMap<string, string>;
}

/** Entries in file order (repeats kept: resolveConfig decides who wins) and warnings. */
export interface IniResult {
  readonly entries: IniEntry[];
  readonly warnings: string[];
  /** Every name a `%(name)` referred to, for resolveConfig's "custom key never used" warning. */
  readonly referenced: ReadonlySet<string>;
}

interface RawEntry {
  readonly section: IniSection;
  readonly key: string;
  readonly raw: string;
  readonly line: number;
}

/**
 * Parses uWSGI's ini dialect: `[section]`, `key = value`, `#` and `;` comment lines, and the
 * magic `%d` (the file's directory, with a trailing slash), `%n` (file name without extension),
 * `%p` (the file's absolute path), `%%`, `$(NAME)` (environment) and uWSGI's `%(name)`
 * placeholders: the value of key `name` anywhere in the file (custom keys included), or of
 * `--set-ph name=value`, which wins. Only `[mlserve]` and
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
  const raws: RawEntry[] = [];
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
    raws.push({ section, key, raw: trimmed.slice(eq + 1).trim(), line });
  });
  if (seen.size > 0 && ![...seen].some(isRead)) {
    warnings.push(`${ctx.fileName}: no [mlserve] or [uwsgi] section (found ${[...seen].map((s) => `[${s}]`).join(', ')}); nothing was read`);
  }
  const referenced = new Set<string>();
  const values = new Map<RawEntry, string>();
  const expanding = new Set<RawEntry>();
  // uWSGI resolves %(name) once every option is known (core/uwsgi.c, "last pass: REFERENCEs"), so
  // a key may be used before its line; with repeats, the last one set up to the line using it wins.
  function valueOf(entry: RawEntry): string {
    const done = values.get(entry);
    if (done !== undefined) return done;
    const where = `${ctx.fileName}:${entry.line}`;
    if (expanding.has(entry)) throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: "${entry.key}" refers to itself through %(...) placeholders`);
    expanding.add(entry);
    const value = expand(entry.raw, magic, ctx.env, where, function placeholder(name: string): string {
      referenced.add(name);
      const given = ctx.placeholders?.get(name);
      if (given !== undefined) return given;
      const same = raws.filter((r) => r.key === name);
      const before = same.filter((r) => r.line <= entry.line && r !== entry).at(-1);
      const found = before ?? same.find((r) => r !== entry);
      if (found === undefined) {
        const hint = didYouMean(name, [...new Set([...raws.map((r) => r.key), ...(ctx.placeholders?.keys() ?? [])])]);
        throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: placeholder %(${name}) is not set${hint}; set it in the file (${name} = ...) or with --set-ph ${name}=VALUE`);
      }
      return valueOf(found);
    });
    expanding.delete(entry);
    values.set(entry, value);
    return value;
  }
  const entries = raws.map((r): IniEntry => ({ section: r.section, key: r.key, value: valueOf(r), line: r.line }));
  return { entries, warnings, referenced };
}

function isRead(section: string): section is IniSection {
  return (iniSections as readonly string[]).includes(section);
}

// One pass, so text that $(NAME) or --set-ph brings in is never expanded again.
function expand(value: string, magic: Readonly<Record<string, string>>, env: IniContext['env'], where: string, placeholder: (name: string) => string): string {
  return value.replace(/%\(([^)]*)\)|%(.?)|\$\(([^)]*)\)/gs, (token, ph: string | undefined, letter: string | undefined, name: string | undefined) => {
    if (ph !== undefined) {
      if (!/^[A-Za-z0-9_.-]+$/.test(ph)) {
        throw new MlserveError('ERR_CONFIG_SYNTAX', `${where}: ${JSON.stringify(token)}: mlserve's placeholders are %(name) only (no uWSGI placeholder arithmetic)`);
      }
      return placeholder(ph);
    }
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
        `${where}: unsupported magic variable ${JSON.stringify(token)}; mlserve knows %(name), %d, %n, %p and %% (write %% for a literal %)`,
      );
    }
    return replacement;
  });
}
