#!/usr/bin/env node
/**
 * `mltop [ADDRESS]`: uwsgitop for mlserve (and uWSGI). Parses the command line, finds the stats
 * address, and either prints one frame (`--once`), the document (`--json`), or runs the screen.
 * Wiring only: reading is mltop/statsTarget.ts, drawing mltop/renderFrame.ts.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { MlserveError } from '../errors.js';
import { parseStats } from '../mltop/parseStats.js';
import { renderFrame } from '../mltop/renderFrame.js';
import { runMltop } from '../mltop/runMltop.js';
import { describeTarget, parseTarget, readStatsText, type StatsTarget } from '../mltop/statsTarget.js';
import { initialViewState } from '../mltop/viewState.js';
import { VERSION } from '../version.js';

const USAGE = `usage: mltop [ADDRESS] [--once | --json] [--frequency SECONDS] [--config FILE]

Shows mlserve's (or uWSGI's) stats server like uwsgitop, plus the model, the cheaper
algorithm, latency percentiles and 60 s sparklines.

ADDRESS   a Unix socket path, HOST:PORT, or http://HOST:PORT/ for a stats-http server;
          default: the "stats" option of --config (config/mlserve.ini)
--once    print one plain-text frame and exit
--json    print the stats document (valid JSON, repaired if the server's was not) and exit
--frequency SECONDS   refresh interval (1); the f key switches to 0.1 s
--config FILE         the ini file whose "stats" option is the default ADDRESS

keys: q quit, f fast refresh, s sort column, r reverse order, h help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      frequency: { type: 'string', default: '1' },
      config: { type: 'string', default: 'config/mlserve.ini' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`mltop ${VERSION}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new MlserveError('ERR_CLI_ARGS', `one ADDRESS at most, got ${positionals.join(' ')}`);
  const frequency = Number(values.frequency);
  if (!(frequency > 0)) throw new MlserveError('ERR_CLI_ARGS', `--frequency takes a positive number of seconds, got "${values.frequency}"`);

  const target = positionals[0] !== undefined ? parseTarget(positionals[0]) : await targetFromConfig(values.config);
  const host = target.kind === 'tcp' ? target.host : target.kind === 'http' && !target.socketPath ? new URL(target.url).hostname : hostname();

  if (values.json || values.once) {
    const text = await readStatsText(target);
    const doc = parseStats(text);
    if (values.json) {
      process.stdout.write(`${isValidJson(text) ? text.trimEnd() : JSON.stringify(doc, null, 2)}\n`);
    } else {
      const opts = { ...initialViewState, at: Date.now(), host, frequency, keys: false };
      const width = process.stdout.isTTY ? process.stdout.columns : Infinity;
      process.stdout.write(`${renderFrame(null, doc, opts, width, Infinity).join('\n')}\n`);
    }
    return 0;
  }
  // The screen module loads blessed, which --once and --json never need.
  const { openScreen } = await import('../mltop/screen.js');
  return runMltop({ target, host, frequency, screen: openScreen() });
}

/** The `stats` (and `stats-http`) options of the config file, as mlserve would read them. */
async function targetFromConfig(file: string): Promise<StatsTarget> {
  const { config } = await loadConfig({ argv: ['--config', file], env: process.env, cwd: process.cwd() });
  const stats = config.stats;
  if (stats === null) {
    throw new MlserveError('ERR_CLI_ARGS', `no ADDRESS given and ${file} sets no "stats" option: run mltop ADDRESS (a socket path or HOST:PORT)`);
  }
  if (typeof stats === 'string') {
    return config.statsHttp ? { kind: 'http', url: 'http://localhost/', socketPath: stats } : { kind: 'unix', path: stats };
  }
  const hostPart = stats.host.includes(':') ? `[${stats.host}]` : stats.host;
  return config.statsHttp ? { kind: 'http', url: `http://${hostPart}:${stats.port}/` } : { kind: 'tcp', host: stats.host, port: stats.port };
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof MlserveError) process.stderr.write(`mltop: ${err.code}: ${err.message}\n`);
    else if (e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') process.stderr.write(`mltop: ${e.message}\n${USAGE}`);
    else if (e?.code) process.stderr.write(`mltop: cannot read stats: ${e.code} (${e.message})\n`);
    else process.stderr.write(`mltop: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
