import { MlserveError } from '../errors.js';
import { findOption, optionNames, optionSpellings, options, type OptionName, type OptionSpec } from './schema.js';
import { didYouMean } from './suggest.js';
import { uwsgiKeyNote, uwsgiKeySpellings } from './uwsgi-keys.js';

/** What `mlserve` was asked to do. */
export type Action = 'serve' | 'check' | 'print-config' | 'help' | 'version';

/** The CLI flags that are not options, as `--help` lists them. */
export const cliActions: ReadonlyArray<{ readonly flags: readonly string[]; readonly metavar?: string; readonly help: string }> = [
  { flags: ['--config', '--ini'], metavar: 'FILE', help: 'read options from a uWSGI-style ini file ([mlserve] or [uwsgi] section)' },
  { flags: ['--check'], help: 'validate the configuration and the model, then exit' },
  { flags: ['-v', '--verbose'], help: 'with --check: after its report, print the effective configuration as --print-config does' },
  { flags: ['--print-config'], help: 'print the effective configuration, where each value came from (file:line, env, flag) and every ignored key with its reason, then exit' },
  { flags: ['--set-ph', '--set-placeholder'], metavar: 'NAME=VALUE', help: "set uWSGI placeholder %(NAME) (wins over the file's NAME = ...); repeatable" },
  { flags: ['-h', '--help'], help: 'show this help and exit' },
  { flags: ['-v', '--version'], help: 'print the version and exit (-v: unless with --check)' },
];

/** One option given on the command line, as written. */
export interface CliOption {
  readonly name: OptionName;
  readonly value: string;
  /** The flag as written (`--processes`, `--no-vacuum`), for messages. */
  readonly flag: string;
}

/** The command line, split into the action, the config file and option flags in order. */
export interface ParsedArgs {
  readonly action: Action;
  /** `--config` / `--ini` as written, or null. */
  readonly configFile: string | null;
  readonly options: readonly CliOption[];
  /** `--set-ph NAME=VALUE`, in order (a later one wins). */
  readonly placeholders: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  /** `--check -v` / `--check --verbose`: print the effective configuration after the check's report. */
  readonly verbose: boolean;
}

const cliError = (message: string): MlserveError => new MlserveError('ERR_CLI_ARGS', message);

function knownFlags(): string[] {
  const bools = optionNames.filter((n) => options[n].type === 'bool').map((n) => `--no-${n}`);
  return [...cliActions.flatMap((a) => a.flags), ...optionSpellings().map((s) => `--${s}`), ...bools];
}

/**
 * Parses `argv` (without node and the script): `--workers 4`, `--workers=4`, `--vacuum`,
 * `--no-vacuum`, `--config FILE`, `--check`, `--help`, `--version`. `--help` and `--version` win
 * over everything else, even over malformed arguments; `-v` is `--version` too, except beside
 * `--check`, where it is `--verbose` (issue 13: `mlserve --config uwsgi.ini --check -v`). uWSGI
 * flags mlserve ignores
 * (`--master`) warn, taking a value when `=` or a following non-flag argument gives one.
 *
 * @throws MlserveError ERR_CLI_ARGS for an unknown flag (with "did you mean"), a missing value
 *   or a stray argument.
 * @example
 * parseArgs(['--config', 'config/mlserve.ini', '--workers=4'])
 * // { action: 'serve', configFile: 'config/mlserve.ini', options: [{ name: 'workers', value: '4', flag: '--workers' }], warnings: [], verbose: false }
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const none = { configFile: null, options: [], placeholders: new Map<string, string>(), warnings: [], verbose: false };
  if (argv.some((a) => a === '-h' || a === '--help')) return { action: 'help', ...none };
  const checking = argv.includes('--check');
  if (argv.some((a) => a === '--version' || (a === '-v' && !checking))) return { action: 'version', ...none };
  let action: Action = 'serve';
  let verbose = false;
  const placeholders = new Map<string, string>();
  let configFile: string | null = null;
  const parsed: CliOption[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-v' || arg === '--verbose' || arg.startsWith('--verbose=')) {
      if (arg !== '-v' && arg !== '--verbose') throw cliError('--verbose takes no value');
      verbose = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      const hint = arg.endsWith('.ini') ? ` (did you mean --config ${arg}?)` : '';
      throw cliError(arg.startsWith('-') && arg !== '--' ? `unknown option ${arg}${didYouMean(arg, knownFlags().filter((f) => f.length > 2))}` : `unexpected argument ${JSON.stringify(arg)}${hint}`);
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const key = flag.slice(2);
    // Takes the value after '=' or the next argument; a following flag means the value is missing.
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw cliError(`${flag} needs a value`);
      i++;
      return next;
    };
    if (key === 'check' || key === 'print-config') {
      if (inline !== undefined) throw cliError(`${flag} takes no value`);
      action = key;
      continue;
    }
    if (key === 'set-ph' || key === 'set-placeholder') {
      const given = value();
      const m = /^([A-Za-z0-9_.-]+)=(.*)$/s.exec(given);
      if (!m) throw cliError(`${flag} takes NAME=VALUE, got ${JSON.stringify(given)}`);
      // uWSGI: "you cannot use X as a placeholder, it is already available as an option".
      if (findOption(m[1]!) !== undefined) throw cliError(`${flag} ${m[1]}: "${m[1]}" is an option, not a placeholder; use --${m[1]} ${JSON.stringify(m[2])}`);
      placeholders.set(m[1]!, m[2]!);
      continue;
    }
    if (key === 'config' || key === 'ini') {
      if (configFile !== null) throw cliError(`${flag} given more than once`);
      configFile = value();
      if (configFile === '') throw cliError(`${flag} needs a file name`);
      continue;
    }
    const name = findOption(key);
    if (name) {
      const spec: OptionSpec = options[name];
      parsed.push({ name, flag, value: spec.type === 'bool' && inline === undefined ? 'true' : value() });
      continue;
    }
    const negated = key.startsWith('no-') ? findOption(key.slice(3)) : undefined;
    if (negated && options[negated].type === 'bool') {
      if (inline !== undefined) throw cliError(`${flag} takes no value`);
      parsed.push({ name: negated, flag, value: 'false' });
      continue;
    }
    if (negated) throw cliError(`${flag}: "${negated}" is not a boolean option; give it a value with --${negated}`);
    const note = uwsgiKeyNote(key);
    if (note !== null) {
      const next = argv[i + 1];
      if (inline === undefined && next !== undefined && !next.startsWith('-')) i++;
      warnings.push(`${flag}: uWSGI option "${key}" ${note}`);
      continue;
    }
    throw cliError(`unknown option ${flag}${didYouMean(flag, [...knownFlags(), ...uwsgiKeySpellings().map((k) => `--${k}`)])}`);
  }
  if (verbose && action !== 'check') {
    throw cliError(`--verbose goes with --check (mlserve --check -v: the check's report, then the effective configuration); --print-config prints the configuration alone`);
  }
  return { action, configFile, options: parsed, placeholders, warnings, verbose };
}
