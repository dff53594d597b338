import { dirname, resolve } from 'node:path';
import { MlserveError } from '../errors.js';
import { parseArgs } from './args.js';
import type { IniEntry } from './ini.js';
import { fieldName, findOption, listTypes, optionNames, optionSpellings, options, type Config, type OptionName } from './schema.js';
import { didYouMean } from './suggest.js';
import { uwsgiKeyNote, uwsgiKeySpellings } from './uwsgi-keys.js';
import { parseValue } from './value-types.js';

/** Where a value came from, weakest first. */
export type Source = 'default' | 'file' | 'env' | 'cli';

/** The source of every option's value, keyed by option name (`sources['max-body-size']`). */
export type Sources = { readonly [K in OptionName]: Source };

/** Everything {@link resolveConfig} reads; it touches neither the file system nor process.*. */
export interface ResolveInput {
  /** From parseIni; omit when no file was given. */
  readonly fileEntries?: readonly IniEntry[];
  /** The file name as the user wrote it, relative to `cwd`; paths in the file resolve against its directory. */
  readonly fileName?: string | null;
  /** `MLSERVE_*` variables are read; others are ignored. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Command line without node and the script. */
  readonly argv?: readonly string[];
  /** Absolute; relative paths from the environment, flags and defaults resolve against it. */
  readonly cwd: string;
  /** Names a `%(name)` in the file used (parseIni's `referenced`): custom [uwsgi] keys among them are placeholders. */
  readonly referenced?: ReadonlySet<string>;
}

/** What `--print-config` shows besides the values: where each came from, what was not an option. */
export interface ConfigReport {
  /** Per option, where its value came from: `uwsgi.ini:6`, `MLSERVE_WORKERS`, `--workers`, `default` (several for a repeatable option). */
  readonly origins: { readonly [K in OptionName]: readonly string[] };
  /** uWSGI keys read and ignored, with the reason. */
  readonly ignored: ReadonlyArray<{ readonly where: string; readonly key: string; readonly reason: string }>;
  /** Custom [uwsgi] keys read as placeholders. */
  readonly placeholders: ReadonlyArray<{ readonly where: string; readonly key: string; readonly value: string; readonly used: boolean }>;
}

/** The resolved configuration, the warnings to log, and where each value came from. */
export interface ResolvedConfig {
  readonly config: Config;
  readonly warnings: string[];
  readonly sources: Sources;
  readonly report: ConfigReport;
}

/** One value offered for an option by one source. */
interface Candidate {
  readonly source: Source;
  readonly raw: string;
  /** `config/mlserve.ini:4`, `--processes`, `MLSERVE_WORKERS`, `default`. */
  readonly where: string;
  /** The key, alias or variable as written. */
  readonly spelling: string;
  readonly baseDir: string;
  readonly section?: IniEntry['section'];
  readonly line?: number;
}

const rank: Readonly<Record<Source, number>> = { default: 0, file: 1, env: 2, cli: 3 };

/** `MLSERVE_MAX_BODY_SIZE` for `max-body-size`. */
export function envName(spelling: string): string {
  return `MLSERVE_${spelling.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Resolves the configuration from the schema defaults, the file's entries, `MLSERVE_*`
 * variables and CLI flags, each stronger than the one before. Every value offered is
 * validated, even one a stronger source overrides, so a broken file never hides behind a flag.
 *
 * @throws MlserveError ERR_CONFIG_KEY for an unknown key in the file (with "did you mean"),
 *   ERR_CLI_ARGS for a bad command line, ERR_CONFIG_VALUE for a bad value, naming where it was.
 * @example
 * resolveConfig({ cwd: '/srv', env: { MLSERVE_WORKERS: '4' } }).config.workers // 4
 */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const { cwd } = input;
  const warnings: string[] = [];
  const args = parseArgs(input.argv ?? []);
  const ignored: Array<ConfigReport['ignored'][number]> = [];
  const placeholders: Array<ConfigReport['placeholders'][number]> = [];
  const files = { entries: input.fileEntries ?? [], fileName: input.fileName ?? null, strict: strictMode(input.fileEntries ?? [], args.options, cwd), referenced: input.referenced ?? new Set<string>() };
  const offered: Array<[OptionName, Candidate]> = [
    ...optionNames.map((name): [OptionName, Candidate] => {
      const raw = options[name].default ?? '';
      return [name, { source: 'default', raw, where: 'default', spelling: name, baseDir: cwd }];
    }),
    ...fileCandidates(files, cwd, warnings, ignored, placeholders),
    ...envCandidates(input.env ?? {}, cwd, warnings),
    ...args.options.map(({ name, value, flag }): [OptionName, Candidate] => [
      name,
      { source: 'cli', raw: value, where: flag, spelling: flag.slice(2), baseDir: cwd },
    ]),
  ];
  warnings.push(...args.warnings);

  const config: Record<string, unknown> = {};
  const sources = {} as Record<OptionName, Source>;
  const origins = {} as Record<OptionName, string[]>;
  const winners = new Map<OptionName, Candidate>();
  for (const name of optionNames) {
    const mine = offered.filter(([n]) => n === name).map(([, c]) => c);
    if (listTypes.has(options[name].type)) {
      const { value, winner, from } = pickList(name, mine);
      config[fieldName(name)] = value;
      sources[name] = winner.source;
      origins[name] = from.map(describeWhere);
      winners.set(name, winner);
      continue;
    }
    const { value, winner } = pick(name, mine);
    warnings.push(...shadowed(mine, winner));
    config[fieldName(name)] = value;
    sources[name] = winner.source;
    origins[name] = [describeWhere(winner)];
    winners.set(name, winner);
  }
  warnings.push(...crossCheck(config, winners));
  for (const p of placeholders) {
    if (!p.used) warnings.push(`${p.where}: "${p.key}" is not an option mlserve knows and no %(${p.key}) uses it: ignored (uWSGI reads it as a placeholder)${didYouMean(p.key, [...optionSpellings(), ...uwsgiKeySpellings()])} (strict = true makes this an error)`);
  }
  return { config: Object.freeze(config) as Config, warnings, sources: Object.freeze(sources), report: { origins, ignored, placeholders } };
}

// uWSGI's `strict`, read before the file's keys are judged: the command line's, else the file's last.
function strictMode(entries: readonly IniEntry[], cli: ReturnType<typeof parseArgs>['options'], cwd: string): boolean {
  const raw = cli.filter((o) => o.name === 'strict').at(-1)?.value ?? entries.filter((e) => findOption(e.key) === 'strict').at(-1)?.value;
  if (raw === undefined) return false;
  const parsed = parseValue(options.strict, raw, cwd);
  return parsed.ok && parsed.value === true;
}

// Every value of a repeatable option, weakest source first and in order within each.
function pickList(name: OptionName, offered: readonly Candidate[]): { value: unknown[]; winner: Candidate; from: Candidate[] } {
  const from = offered.slice(1).sort((a, b) => rank[a.source] - rank[b.source]);
  const value: unknown[] = [];
  for (const c of from) {
    const parsed = parseValue(options[name], c.raw, c.baseDir);
    if (!parsed.ok || parsed.value === null) throw new MlserveError('ERR_CONFIG_VALUE', `${describe(c)}: expected ${parsed.ok ? 'a value' : parsed.expected}`);
    value.push(parsed.value);
  }
  return { value, winner: from.at(-1) ?? offered[0]!, from };
}

/** `uwsgi.ini:6`, `MLSERVE_WORKERS`, `--workers`, `default`. */
function describeWhere(c: Candidate): string {
  return c.source === 'default' ? 'default' : c.where;
}

/**
 * Checks between options once each is valid on its own, as uWSGI's core/init.c does after
 * parsing: a conflict is ERR_CONFIG_VALUE naming both keys and where each was set; an
 * out-of-range cheaper-initial is clamped with a warning (uWSGI's wording). May adjust `config`.
 */
function crossCheck(config: Record<string, unknown>, winners: ReadonlyMap<OptionName, Candidate>): string[] {
  const warnings: string[] = [];
  const value = (name: OptionName): unknown => config[fieldName(name)];
  const at = (name: OptionName): string => describe(winners.get(name)!);
  // The other key of a conflict: `workers = 2 by default`, `config/mlserve.ini:3: processes = "8"`.
  const origin = (name: OptionName): string => {
    const c = winners.get(name)!;
    return c.source === 'default' ? `${name} = ${c.raw} by default` : describe(c);
  };
  const fail = (name: OptionName, message: string): never => {
    throw new MlserveError('ERR_CONFIG_VALUE', `${at(name)}: ${message}`);
  };

  const workers = value('workers') as number;
  const cheaper = value('cheaper') as number;
  // uWSGI init.c: "invalid cheaper value: must be lower than processes" (and exit).
  if (cheaper > 0 && cheaper >= workers) fail('cheaper', `invalid cheaper value: must be lower than workers (${origin('workers')})`);

  // uWSGI init.c clamps cheaper-initial into [cheaper, processes] with a warning; with cheaper
  // off it is not used at all (every worker starts), which we say instead of staying silent.
  const initial = value('cheaper-initial') as number | null;
  if (initial !== null) {
    let clamped = initial;
    if (cheaper === 0) {
      warnings.push(`${at('cheaper-initial')}: ignored, cheaper is 0 (scaling off) so all ${workers} workers start`);
    } else if (initial < cheaper) {
      clamped = cheaper;
      warnings.push(`${at('cheaper-initial')}: invalid cheaper-initial value, must be equal or higher than cheaper (${origin('cheaper')}): using ${cheaper} as the initial number of workers`);
    } else if (initial > workers) {
      clamped = workers;
      warnings.push(`${at('cheaper-initial')}: invalid cheaper-initial value, must be lower or equal than workers (${origin('workers')}): using ${workers} as the initial number of workers`);
    }
    config[fieldName('cheaper-initial')] = clamped;
  }

  // uWSGI init.c: "cheaper-rss-limit-hard value must be higher than cheaper-rss-limit-soft value".
  const soft = value('cheaper-rss-limit-soft') as number | null;
  const hard = value('cheaper-rss-limit-hard') as number | null;
  if (soft !== null && hard !== null && hard <= soft) {
    fail('cheaper-rss-limit-hard', `must be higher than cheaper-rss-limit-soft (${origin('cheaper-rss-limit-soft')})`);
  }

  // uWSGI accepts min > max and then spawns and cheaps on contradicting thresholds; refuse it.
  if ((value('cheaper-busyness-min') as number) > (value('cheaper-busyness-max') as number)) {
    fail('cheaper-busyness-min', `must not be higher than cheaper-busyness-max (${origin('cheaper-busyness-max')})`);
  }
  return warnings;
}

interface FileInput {
  readonly entries: readonly IniEntry[];
  readonly fileName: string | null;
  readonly strict: boolean;
  readonly referenced: ReadonlySet<string>;
}

function fileCandidates(
  { entries, fileName, strict, referenced }: FileInput,
  cwd: string,
  warnings: string[],
  ignored: Array<ConfigReport['ignored'][number]>,
  placeholders: Array<ConfigReport['placeholders'][number]>,
): Array<[OptionName, Candidate]> {
  if (fileName === null) return [];
  const baseDir = dirname(resolve(cwd, fileName));
  const out: Array<[OptionName, Candidate]> = [];
  for (const entry of entries) {
    const where = `${fileName}:${entry.line}`;
    const name = findOption(entry.key);
    if (name !== undefined) {
      out.push([name, { source: 'file', raw: entry.value, where, spelling: entry.key, baseDir, section: entry.section, line: entry.line }]);
      continue;
    }
    const note = uwsgiKeyNote(entry.key);
    if (note === null) {
      // uWSGI reads any other key of its section as a placeholder for %(key); [mlserve] is ours.
      if (entry.section === 'uwsgi' && !strict) {
        placeholders.push({ where, key: entry.key, value: entry.value, used: referenced.has(entry.key) });
        continue;
      }
      const hint = didYouMean(entry.key, [...optionSpellings(), ...uwsgiKeySpellings()]);
      const why = entry.section === 'uwsgi' ? ' (strict = true: custom keys are errors, not placeholders)' : '';
      throw new MlserveError('ERR_CONFIG_KEY', `${where}: unknown key "${entry.key}" in [${entry.section}]${hint}${why}`);
    }
    ignored.push({ where, key: entry.key, reason: note });
    warnings.push(`${where}: uWSGI option "${entry.key}" ${note}`);
  }
  return out;
}

function envCandidates(env: Readonly<Record<string, string | undefined>>, cwd: string, warnings: string[]): Array<[OptionName, Candidate]> {
  const out: Array<[OptionName, Candidate]> = [];
  for (const variable of Object.keys(env).filter((v) => v.startsWith('MLSERVE_')).sort()) {
    const raw = env[variable];
    if (raw === undefined) continue;
    const spelling = variable.slice('MLSERVE_'.length).toLowerCase().replace(/_/g, '-');
    const name = findOption(spelling);
    if (name !== undefined) {
      out.push([name, { source: 'env', raw, where: variable, spelling, baseDir: cwd }]);
      continue;
    }
    const note = uwsgiKeyNote(spelling);
    warnings.push(note === null
      ? `${variable}: unknown mlserve variable, ignored${didYouMean(variable, optionSpellings().map(envName))}`
      : `${variable}: uWSGI option "${spelling}" ${note}`);
  }
  return out;
}

// Validates every candidate (the first is the default) and returns the strongest one's value.
function pick(name: OptionName, offered: readonly Candidate[]): { value: unknown; winner: Candidate } {
  let winner = offered[0]!;
  let value: unknown;
  for (const c of offered) {
    const parsed = parseValue(options[name], c.raw, c.baseDir);
    if (!parsed.ok) {
      const hint = c.source === 'file' && /\s[#;]/.test(c.raw)
        ? ' (uWSGI ini has no inline comments: put the comment on its own line)'
        : '';
      throw new MlserveError('ERR_CONFIG_VALUE', `${describe(c)}: expected ${parsed.expected}${hint}`);
    }
    if (c === winner || beats(name, c, winner)) {
      winner = c;
      value = parsed.value;
    }
  }
  return { value, winner };
}

/** `config/mlserve.ini:4: workers = "two"`, `--workers "two"`, `MLSERVE_WORKERS="two"`. */
function describe(c: Candidate): string {
  const value = JSON.stringify(c.raw);
  switch (c.source) {
    case 'file': return `${c.where}: ${c.spelling} = ${value}`;
    case 'env': return `${c.where}=${value}`;
    case 'cli': return `${c.where} ${value}`;
    case 'default': return `default ${c.spelling} = ${value}`;
  }
}

// A stronger source wins; within the file [mlserve] beats [uwsgi], then the later line wins;
// in the environment the option's own name beats an alias; on the CLI the last flag wins.
function beats(name: OptionName, c: Candidate, best: Candidate): boolean {
  if (rank[c.source] !== rank[best.source]) return rank[c.source] > rank[best.source];
  switch (c.source) {
    case 'file': {
      const sectionRank = (x: Candidate): number => (x.section === 'mlserve' ? 1 : 0);
      if (sectionRank(c) !== sectionRank(best)) return sectionRank(c) > sectionRank(best);
      return (c.line ?? 0) > (best.line ?? 0);
    }
    case 'env': return c.spelling === name && best.spelling !== name;
    case 'cli': return true;
    case 'default': return false;
  }
}

// A value set twice in one place is probably a mistake: say which one is ignored. [uwsgi]
// values overridden by [mlserve] are not: sharing a file with uWSGI is what that is for.
function shadowed(offered: readonly Candidate[], winner: Candidate): string[] {
  const twins = offered.filter((c) => c !== winner && c.source === winner.source && c.section === winner.section);
  switch (winner.source) {
    case 'file': return twins.map((c) => `${describe(c)} is overridden by line ${winner.line} (the last one wins)`);
    case 'env': return twins.map((c) => `${c.where}: ignored, ${winner.where} is also set and wins`);
    default: return [];
  }
}
