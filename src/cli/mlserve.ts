#!/usr/bin/env node
/**
 * `mlserve`: parse the command line, load the config, and either check, print help, or run the
 * master until a signal stops it. Wiring only.
 */
import { loadConfig, formatHelp } from '../config/load.js';
import { MlserveError } from '../errors.js';
import { parseControl, sendControl } from './control.js';
import { createLogger } from '../log.js';
import { loadModel } from '../model/loadModel.js';
import { describeModel } from '../model/describeModel.js';
import { Master } from '../master/master.js';
import { VERSION } from '../version.js';
import { attachSystemd } from '../systemd/attachSystemd.js';
import { takeListenFds } from '../systemd/inheritedSocket.js';
import { sagemakerArgs } from './sagemakerServe.js';
import { applyEnvAndChdir } from '../master/processOptions.js';
import { MasterFifo } from '../master/masterFifo.js';
import { watchTouchFiles } from '../master/touchReload.js';
import { formatConfigReport } from '../config/printConfig.js';
import { isJournalStream } from '../journalStream.js';

/**
 * One-shot actions (--check, --print-config, --help, control commands) end quietly with 0 when
 * the reader of their output goes away (`mlserve --check | head -1`), as coreutils do. The server
 * keeps Node's default: a closed log stream there is a fault to report, not a reader's choice.
 */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/**
 * A one-shot action's answer: in the journal (ExecStartPre's --check, ExecReload's reload) one
 * info-level JSON line, so `journalctl -o cat | jq` parses every line of the unit, whatever
 * `log-level` or `log-format` say (regression: with log-level warn, --check wrote nothing);
 * on a terminal, `text`.
 */
function reportOneShot(fields: Record<string, unknown>, msg: string, text: string): void {
  if (isJournalStream(1)) createLogger({ level: 'info' }).info(fields, msg);
  else process.stdout.write(text);
}

async function main(given: string[]): Promise<number> {
  // SageMaker runs `docker run IMAGE serve`: its contract's options first, the user's flags after (they win).
  const argv = given[0] === 'serve' ? [...sagemakerArgs(process.env), ...given.slice(1)] : given;
  const control = parseControl(argv);
  if (control) {
    endQuietlyOnClosedStdout();
    // With --pid (ExecReload=... --pid $MAINPID) neither the config nor a pidfile is needed.
    const pidfile = control.pid === null ? (await loadConfig({ argv: control.rest, env: process.env, cwd: process.cwd() })).config.pidfile : null;
    const said = await sendControl(control, pidfile);
    reportOneShot({ control: control.name }, said, `${said}\n`);
    return 0;
  }
  // Kept for reloads: `chdir` changes process.cwd(), and a reload reads the same files.
  const cwd = process.cwd();
  const loaded = await loadConfig({ argv, env: process.env, cwd });
  if (loaded.action !== 'serve') endQuietlyOnClosedStdout();
  if (loaded.action === 'help') {
    process.stdout.write(formatHelp());
    return 0;
  }
  if (loaded.action === 'version') {
    process.stdout.write(`mlserve ${VERSION}\n`);
    return 0;
  }
  const { config } = loaded;
  if (loaded.action === 'print-config') {
    process.stdout.write(formatConfigReport(loaded));
    return 0;
  }
  const log = createLogger({ level: config.logLevel, pretty: config.logFormat === 'pretty' });
  for (const warning of loaded.warnings) log.warn({ configFile: loaded.configFile }, warning);
  for (const a of loaded.auto) log.info({ option: a.name, value: a.value, source: a.source }, `${a.name} = auto: ${a.value} (${a.source})`);

  if (loaded.action === 'check') {
    const model = await loadModel(config.model, log, { deep: true });
    const { bundle } = model;
    const headline =
      `mlserve: config ${loaded.configFile ?? '(defaults)'} ok; model ${bundle.name} v${bundle.version} ok ` +
      `(${bundle.inputWidth} inputs, ${bundle.labels.length} classes)`;
    const report = describeModel(bundle, { fastPath: config.fastPath, backend: config.backend });
    reportOneShot({ check: report }, headline, `${headline}\n${report.map((line) => `  ${line}\n`).join('')}`);
    // uWSGI users ask `--check -v` what mlserve made of their ini: sources, ignored keys, placeholders.
    if (loaded.verbose) process.stdout.write(`\n${formatConfigReport(loaded)}`);
    return 0;
  }

  const reloadConfig = async () => {
    const again = await loadConfig({ argv, env: process.env, cwd });
    for (const warning of again.warnings) log.warn({ configFile: again.configFile }, warning);
    for (const a of again.auto) log.info({ option: a.name, value: a.value, source: a.source }, `${a.name} = auto: ${a.value} (${a.source})`);
    return again.config;
  };
  // Before any thread starts: workers copy the environment, and LISTEN_* must not reach children.
  const inheritedFds = takeListenFds();
  // Signals are handled from before the first thread starts: a SIGTERM during boot must stop
  // cleanly once the master exists (regression: a SIGINT right after "ready" killed the process).
  let master: Master | null = null;
  let stopSignal: NodeJS.Signals | null = null;
  let exitCode: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (exitCode = resolve));
  const stop = (signal: NodeJS.Signals): void => {
    stopSignal ??= signal;
    if (!master) return;
    master.stop(signal).then(exitCode, (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      exitCode(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // uWSGI 2.0 reloaded on SIGTERM; here SIGTERM always stops and SIGHUP reloads.
  process.on('SIGHUP', () => void master?.reload());
  // Gunicorn's TTIN / TTOU: one worker more / less.
  process.on('SIGTTIN', () => master?.adjustWorkers(1));
  process.on('SIGTTOU', () => master?.adjustWorkers(-1));

  applyEnvAndChdir(config, log);
  // Created before the master (and so before uid/gid drop privileges): the fd stays readable.
  const fifo = config.masterFifo
    ? await MasterFifo.open(config.masterFifo, function onFifo(action) {
        if (!master) return;
        if (action === 'reload') void master.reload();
        else if (action === 'stop') stop('SIGTERM');
        else if (action === 'worker+') master.adjustWorkers(1);
        else if (action === 'worker-') master.adjustWorkers(-1);
        else log.info({ stats: master.readiness(), ...master.systemdSnapshot() }, 'stats (master FIFO)');
      }, log)
    : null;
  const unwatch = watchTouchFiles([...config.touchReload, ...config.touchChainReload], () => void master?.reload(), log);
  master = await Master.start(config, log, {
    reloadConfig,
    inheritedFds,
    onCreate: (m) => void attachSystemd(m, { log, snapshot: () => m.systemdSnapshot() }),
  });
  if (stopSignal) stop(stopSignal);
  const code = await stopped;
  unwatch();
  await fifo?.close();
  log.flush();
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Worker threads and timers are gone by now; exit promptly even if a handle lingers.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    // Fail fast with one clear line (and no stack) for the errors we expect; a stack for the rest.
    // In the journal, at priority err (<3>) like pino's error lines; a stack's lines after the first are err too.
    const prefix = isJournalStream(2) ? '<3>' : '';
    const text = err instanceof MlserveError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${prefix}mlserve: ${prefix ? text.replace(/\n/g, '\n<3>') : text}\n`);
    process.exit(1);
  },
);
