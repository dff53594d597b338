import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MlserveError } from '../errors.js';
import { parseArgs, type Action } from './args.js';
import { parseIni } from './ini.js';
import { didYouMean } from './suggest.js';
import { resolveConfig, type ConfigReport, type ResolvedConfig, type Sources } from './resolve.js';
import type { Config } from './schema.js';
import { detectCpus, type CpuProbe } from './cpuLimit.js';

// The CLI imports everything it needs for startup from here.
export { formatHelp } from './help.js';

/** Where {@link loadConfig} reads from; each defaults to the running process's. */
export interface LoadOptions {
  /** Command line without node and the script; default `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Absolute; default `process.cwd()`. */
  readonly cwd?: string;
  /** Where `workers = auto` reads cgroup limits; default the real /proc and /sys. */
  readonly cpuProbe?: CpuProbe;
}

/** What `mlserve` should do and with which configuration. */
export interface LoadedConfig {
  readonly action: Action;
  readonly config: Config;
  /** Absolute path of the file read, or null when `--config` was not given. */
  readonly configFile: string | null;
  /** To log once the logger exists: ignored uWSGI keys, repeated keys, unknown MLSERVE_* variables. */
  readonly warnings: readonly string[];
  readonly sources: Sources;
  /** Options set to `auto` and what they became, to log with their source. */
  readonly auto: ResolvedConfig['auto'];
  /** Where each value came from and the keys that were not options, for `--print-config`. */
  readonly report: ConfigReport;
  /** `--set-ph NAME=VALUE` given on the command line. */
  readonly setPlaceholders: ReadonlyMap<string, string>;
  /** `--check -v`: print the `--print-config` report after the check's own. */
  readonly verbose: boolean;
}

/**
 * The boundary where options are validated, once: reads `--config` (when given; otherwise no
 * file is read), then resolves defaults < file < environment < flags. For `--help` and
 * `--version` nothing is read or validated and `config` holds the defaults.
 *
 * @throws MlserveError ERR_CONFIG_FILE (missing or unreadable file), ERR_CONFIG_SYNTAX,
 *   ERR_CONFIG_KEY, ERR_CONFIG_VALUE or ERR_CLI_ARGS; the message names the file and line,
 *   the flag or the variable.
 * @example
 * const { action, config, warnings } = await loadConfig();
 * for (const w of warnings) log.warn(w);
 */
export async function loadConfig(opts: LoadOptions = {}): Promise<LoadedConfig> {
  const argv = opts.argv ?? process.argv.slice(2);
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const args = parseArgs(argv);
  if (args.action === 'help' || args.action === 'version') {
    const { config, sources, report, auto } = resolveConfig({ cwd });
    return { action: args.action, config, configFile: null, warnings: [], sources, report, auto, setPlaceholders: args.placeholders, verbose: args.verbose };
  }
  const cpus = () => detectCpus(opts.cpuProbe);
  const fileName = args.configFile;
  if (fileName === null) {
    const { config, warnings, sources, report, auto } = resolveConfig({ env, argv, cwd, cpus });
    return { action: args.action, config, configFile: null, warnings, sources, report, auto, setPlaceholders: args.placeholders, verbose: args.verbose };
  }
  const configFile = resolve(cwd, fileName);
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new MlserveError('ERR_CONFIG_FILE', `cannot read config file ${fileName}: ${reason}`, { cause: err });
  }
  const ini = parseIni(text, { fileName, cwd, env, placeholders: args.placeholders });
  const { config, warnings, sources, report, auto } = resolveConfig({ fileEntries: ini.entries, fileName, env, argv, cwd, referenced: ini.referenced, cpus });
  const unused = [...args.placeholders.keys()].filter((name) => !ini.referenced.has(name));
  const phWarnings = unused.map((name) => `--set-ph ${name}: no %(${name}) in ${fileName} uses it${didYouMean(name, [...ini.referenced])}`);
  return { action: args.action, config, configFile, warnings: [...ini.warnings, ...warnings, ...phWarnings], sources, report, auto, setPlaceholders: args.placeholders, verbose: args.verbose };
}
