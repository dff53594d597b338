import { once } from 'node:events';
import { fstatSync } from 'node:fs';
import type { Server } from 'node:net';
import { MlserveError } from '../errors.js';
import { listenFds, type InheritedFd } from './listenFds.js';

/**
 * Takes the sockets systemd passed (socket activation) and unsets LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES, as `sd_listen_fds(1)` does, so no child process or later call sees them.
 * Call it once, first thing, before any thread or child starts: worker threads copy the
 * environment when they start.
 *
 * @example
 * const fds = takeListenFds(); // [{ fd: 3, name: 'mlserve' }] under mlserve.socket, [] otherwise
 */
export function takeListenFds(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): readonly InheritedFd[] {
  const { fds, unset } = listenFds(env, pid);
  for (const name of unset) delete env[name];
  return fds;
}

/**
 * Serves `server` on an inherited listening socket (`server.listen({ fd })`). The socket stays
 * systemd's: closing the server closes mlserve's descriptor only, and systemd's copy keeps
 * accepting into the kernel queue until the next mlserve takes it.
 *
 * @example
 * await listenOnFd(server, 3);
 */
export async function listenOnFd(server: Server, fd: number): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = fstatSync(fd).isSocket();
  } catch (err) {
    throw new MlserveError('ERR_SOCKET', `inherited fd ${fd} is not open: ${(err as Error).message}`, { cause: err });
  }
  if (!isSocket) throw new MlserveError('ERR_SOCKET', `inherited fd ${fd} is not a socket`);
  try {
    const listening = once(server, 'listening'); // rejects on 'error'
    server.listen({ fd });
    await listening;
  } catch (err) {
    throw new MlserveError('ERR_SOCKET', `cannot listen on inherited fd ${fd}: ${(err as Error).message}`, { cause: err });
  }
}
