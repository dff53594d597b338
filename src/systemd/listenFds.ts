import { MlserveError } from '../errors.js';

/** The first file descriptor systemd passes (SD_LISTEN_FDS_START): 0-2 are stdio. */
export const LISTEN_FDS_START = 3;

/** The variables of the socket activation protocol, unset once read so children never see them. */
const LISTEN_VARS = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'] as const;

/** One listening socket passed by systemd: its descriptor and its `FileDescriptorName=`. */
export interface InheritedFd {
  readonly fd: number;
  /** The .socket unit's FileDescriptorName= (mlserve.socket says "mlserve"); "unknown" when not named. */
  readonly name: string;
}

/** What {@link listenFds} found in the environment. */
export interface ListenFds {
  /** The sockets passed to this process, from fd 3 on; empty when none were (or they were not for us). */
  readonly fds: readonly InheritedFd[];
  /** The LISTEN_* variables present in the environment: unset them before starting children. */
  readonly unset: readonly string[];
}

/**
 * Reads the socket activation variables the way `sd_listen_fds_with_names(3)` does: the sockets
 * are fds 3..3+LISTEN_FDS-1, and only when LISTEN_PID is `pid` (a variable meant for the
 * process that forked us is ignored). Pure: the caller unsets `unset` and opens the fds.
 * Malformed values throw `ERR_SOCKET`: they mean a broken service manager, not "no sockets".
 *
 * @example
 * listenFds({ LISTEN_PID: '42', LISTEN_FDS: '1', LISTEN_FDNAMES: 'mlserve' }, 42)
 * // => { fds: [{ fd: 3, name: 'mlserve' }], unset: ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'] }
 */
export function listenFds(env: Readonly<Record<string, string | undefined>>, pid: number): ListenFds {
  const unset = LISTEN_VARS.filter((name) => env[name] !== undefined);
  const none: ListenFds = { fds: [], unset };
  const listenPid = env['LISTEN_PID'];
  // sd_listen_fds: no LISTEN_PID means no sockets; another pid means they are not ours.
  if (listenPid === undefined) return none;
  if (parseDecimal('LISTEN_PID', listenPid) !== pid) return none;
  const countVar = env['LISTEN_FDS'];
  const count = countVar === undefined ? 0 : parseDecimal('LISTEN_FDS', countVar);
  if (count === 0) return none;

  const namesVar = env['LISTEN_FDNAMES'];
  const names = namesVar === undefined ? [] : namesVar.split(':');
  if (namesVar !== undefined && names.length !== count) {
    // sd_listen_fds_with_names answers -EINVAL when the counts disagree.
    throw new MlserveError('ERR_SOCKET', `LISTEN_FDNAMES="${namesVar}" names ${names.length} sockets, LISTEN_FDS=${count}`);
  }
  const fds = Array.from({ length: count }, (_, i) => ({ fd: LISTEN_FDS_START + i, name: names[i] ?? 'unknown' }));
  return { fds, unset };
}

/** Where mlserve's HTTP socket comes from: bound by mlserve at `path`, or inherited from systemd. */
export type SocketSource =
  | { readonly inherited: false; readonly path: string }
  /** `path` is the configured one, for logs only: systemd's unit decides where the socket really is. */
  | { readonly inherited: true; readonly fd: number; readonly name: string; readonly path: string };

/**
 * Picks the socket to serve on: the one systemd passed (by name "mlserve" when several are, else
 * the only one), or the configured path when none was passed. An inherited socket belongs to
 * systemd: mlserve must neither chmod nor unlink it (`vacuum` does not apply).
 *
 * @example
 * socketSource('/run/mlserve/mlserve.sock', [{ fd: 3, name: 'mlserve' }]) // => { inherited: true, fd: 3, ... }
 */
export function socketSource(path: string, fds: readonly InheritedFd[]): SocketSource {
  if (fds.length === 0) return { inherited: false, path };
  const fd = fds.length === 1 ? fds[0] : fds.find((f) => f.name === 'mlserve');
  if (fd === undefined) {
    const names = fds.map((f) => f.name).join(', ');
    throw new MlserveError('ERR_SOCKET', `systemd passed ${fds.length} sockets (${names}) and none is named "mlserve" (FileDescriptorName=mlserve)`);
  }
  return { inherited: true, fd: fd.fd, name: fd.name, path };
}

function parseDecimal(name: string, value: string): number {
  // sd_listen_fds uses safe_atoi/parse_pid: decimal digits only, no sign, no spaces.
  if (!/^\d{1,9}$/.test(value)) throw new MlserveError('ERR_SOCKET', `${name}="${value}" is not a valid number (socket activation)`);
  return Number(value);
}
