import { cliActions } from './args.js';
import { envName } from './resolve.js';
import { optionNames, options, type OptionSpec } from './schema.js';
import { valueTypes } from './value-types.js';

const width = 100;
const column = 30;

// Word-wraps `text` into lines of at most `width`, every line but the first indented by `indent`.
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function row(left: string, right: string): string {
  const pad = left.length >= column - 2 ? `\n${' '.repeat(column)}` : ' '.repeat(column - left.length);
  return `${left}${pad}${wrap(right, column)}`;
}

/** `--workers N`, `--[no-]vacuum`, `--backend auto|tensorflow|wasm|cpu`. */
export function flagSynopsis(name: string, spec: OptionSpec): string {
  return spec.type === 'bool' ? `--[no-]${name}` : `--${name} ${valueTypes[spec.type].metavar(spec)}`;
}

/**
 * The text of `mlserve --help`: the actions, then every option with its type, default,
 * aliases, environment variable and help, all from the schema.
 */
export function formatHelp(): string {
  const out = [
    'Usage: mlserve [--config FILE] [--check [-v] | --print-config] [--OPTION VALUE]...',
    '       mlserve reload|stop|workers +N|-N [--config FILE | --pid PID]',
    '',
    'Serves a text classifier over HTTP and the uwsgi protocol on a Unix socket, in the spirit of uWSGI.',
    '',
    'Actions:',
    ...cliActions.map((a) => row(`  ${a.flags.map((f) => (a.metavar ? `${f} ${a.metavar}` : f)).join(', ')}`, a.help)),
    '',
    'Commands to a running master (found through its `pidfile`, so give the same --config; or --pid PID):',
    row('  mlserve reload', 'reload the config and the newest model version, worker by worker (SIGHUP)'),
    row('  mlserve stop', 'finish in-flight requests and exit (SIGTERM)'),
    row('  mlserve workers +N|-N', 'N workers more or fewer (SIGTTIN / SIGTTOU); with cheaper-algo = manual it sets the target'),
    '',
    'Options: each is an ini key (`workers = 4`), a flag (--workers 4 or --workers=4) and an',
    'environment variable (MLSERVE_WORKERS=4). A flag beats the environment, which beats the file,',
    'which beats the default. Relative paths in the file resolve against its directory; from a',
    'flag, the environment or a default, against the working directory.',
    '',
  ];
  for (const name of optionNames) {
    const spec: OptionSpec = options[name];
    const details = [
      `${valueTypes[spec.type].expected(spec)}`,
      `default: ${spec.default === null ? '(none)' : spec.default}`,
      ...(spec.aliases ?? []).map((a) => `alias: ${a}`),
      `env: ${envName(name)}`,
      ...(spec.reloadable ? [] : ['restart to change']),
    ];
    out.push(row(`  ${flagSynopsis(name, spec)}`, spec.help));
    out.push(`${' '.repeat(column)}${wrap(`(${details.join('; ')})`, column)}`);
  }
  return `${out.join('\n')}\n`;
}
