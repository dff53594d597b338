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
}

/**
 * Recognises `mlserve reload`, `mlserve stop` and `mlserve workers +N|-N` (uWSGI's
 * `--reload PIDFILE`, Gunicorn's TTIN/TTOU); null for anything else. Pure.
 *
 * @example parseControl(['workers', '+2', '--config', 'x.ini']) // { name: 'workers', signal: 'SIGTTIN', repeat: 2, ... }
 */
export function parseControl(argv: readonly string[]): (ControlCommand & { repeat: number }) | null {
  const [first, ...rest] = argv;
  if (first === 'reload') return { name: 'reload', signal: 'SIGHUP', says: 'asked the master to reload (SIGHUP)', rest, repeat: 1 };
  if (first === 'stop') return { name: 'stop', signal: 'SIGTERM', says: 'asked the master to stop gracefully (SIGTERM)', rest, repeat: 1 };
  if (first !== 'workers') return null;
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
    repeat: Number(m[2]),
  };
}

/** Sends a control command to the master named by `pidfile`; resolves with what to print. */
export async function sendControl(cmd: ControlCommand & { repeat: number }, pidfile: string | null): Promise<string> {
  if (!pidfile) {
    throw new MlserveError('ERR_CLI_ARGS', `mlserve ${cmd.name} finds the master through its pidfile: set \`pidfile\` in the config, or pass --pidfile`);
  }
  const pid = await readPidfile(pidfile);
  for (let i = 0; i < cmd.repeat; i++) process.kill(pid, cmd.signal);
  return `mlserve: ${cmd.says}, pid ${pid}`;
}
