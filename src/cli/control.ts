import { MlserveError } from '../errors.js';
import { readPidfile } from '../master/pidfile.js';

/** A command sent to a running master through its pidfile. */
export interface ControlCommand {
  name: 'reload' | 'stop' | 'workers';
  signal: NodeJS.Signals;
  /** What to tell the operator once the signal is sent. */
  says: string;
  /** The arguments left for the config loader (--config, --pidfile, ...). */
  rest: string[];
  /**
   * `--pid PID`: the master's pid given directly (systemd's `$MAINPID` in ExecReload=), so no
   * config or pidfile is read and nothing outside mlserve (procps' kill) is needed.
   */
  pid: number | null;
}

/** Takes `--pid N` / `--pid=N` out of a control command's arguments. Pure. */
function takePid(args: readonly string[]): { pid: number | null; rest: string[] } {
  const rest: string[] = [];
  let pid: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== '--pid' && !arg.startsWith('--pid=')) {
      rest.push(arg);
      continue;
    }
    const value = arg === '--pid' ? args[++i] : arg.slice('--pid='.length);
    if (!value || !/^[1-9]\d*$/.test(value)) {
      throw new MlserveError('ERR_CLI_ARGS', `--pid takes the master's process id (a positive integer), got ${JSON.stringify(value ?? '')}`);
    }
    pid = Number(value);
  }
  return { pid, rest };
}

/**
 * Recognises `mlserve reload`, `mlserve stop` and `mlserve workers +N|-N` (uWSGI's
 * `--reload PIDFILE`, Gunicorn's TTIN/TTOU), each with an optional `--pid PID`; null for
 * anything else. Pure.
 *
 * @example parseControl(['workers', '+2', '--config', 'x.ini']) // { name: 'workers', signal: 'SIGTTIN', repeat: 2, ... }
 */
export function parseControl(argv: readonly string[]): (ControlCommand & { repeat: number }) | null {
  const [first, ...args] = argv;
  if (first !== 'reload' && first !== 'stop' && first !== 'workers') return null;
  const { pid, rest } = takePid(args);
  if (first === 'reload') return { name: 'reload', signal: 'SIGHUP', says: 'asked the master to reload (SIGHUP)', rest, pid, repeat: 1 };
  if (first === 'stop') return { name: 'stop', signal: 'SIGTERM', says: 'asked the master to stop gracefully (SIGTERM)', rest, pid, repeat: 1 };
  const [delta, ...more] = rest;
  const m = /^([+-])(\d+)$/.exec(delta ?? '');
  if (!m || Number(m[2]) === 0 || Number(m[2]) > 256) {
    throw new MlserveError('ERR_CLI_ARGS', `mlserve workers takes +N or -N (1 to 256), got ${JSON.stringify(delta ?? '')}`);
  }
  const up = m[1] === '+';
  return {
    name: 'workers',
    signal: up ? 'SIGTTIN' : 'SIGTTOU',
    says: `asked the master for ${m[1]}${m[2]} worker(s) (${up ? 'SIGTTIN' : 'SIGTTOU'})`,
    rest: more,
    pid,
    repeat: Number(m[2]),
  };
}

/**
 * Sends a control command to the master: the one of `--pid`, else the one named by `pidfile`;
 * resolves with what to print. A pid that is not running fails with ERR_CLI_ARGS naming it.
 */
export async function sendControl(cmd: ControlCommand & { repeat: number }, pidfile: string | null): Promise<string> {
  if (cmd.pid !== null) {
    try {
      for (let i = 0; i < cmd.repeat; i++) process.kill(cmd.pid, cmd.signal);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'no such process' : (err as NodeJS.ErrnoException).code;
      throw new MlserveError('ERR_CLI_ARGS', `cannot signal the master, pid ${cmd.pid} (--pid): ${why}`, { cause: err });
    }
    return `mlserve: ${cmd.says}, pid ${cmd.pid}`;
  }
  if (!pidfile) {
    throw new MlserveError('ERR_CLI_ARGS', `mlserve ${cmd.name} finds the master through its pidfile: set \`pidfile\` in the config, or pass --pidfile`);
  }
  const pid = await readPidfile(pidfile);
  for (let i = 0; i < cmd.repeat; i++) process.kill(pid, cmd.signal);
  return `mlserve: ${cmd.says}, pid ${pid}`;
}
