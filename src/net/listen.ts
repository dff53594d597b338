import { connect, type Server } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MlserveError } from '../errors.js';

/** True when something accepts connections on the Unix socket at `path`. */
export function socketAccepts(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const timer = setTimeout(() => finish(true), timeoutMs); // connected-but-silent still means alive
    function finish(alive: boolean): void {
      clearTimeout(timer);
      sock.destroy();
      resolve(alive);
    }
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

/**
 * Listens on a Unix socket file. A leftover file that refuses connections (a crashed
 * instance's) is replaced; one that accepts (another running instance) is an error, as is a
 * path that exists and is not a socket.
 */
export async function listenUnix(server: Server, path: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const st = await lstat(path).catch(() => null);
  if (st) {
    if (!st.isSocket()) {
      throw new MlserveError('ERR_SOCKET', `${path} exists and is not a socket; refusing to replace it`);
    }
    if (await socketAccepts(path)) {
      throw new MlserveError('ERR_SOCKET_IN_USE', `${path} accepts connections: another instance is serving on it`);
    }
    await unlink(path);
  }
  await listenOn(server, path, [path]);
  await chmod(path, mode);
}

/** Listens on a TCP address (the optional `http` listener for local use). */
export async function listenTcp(server: Server, host: string, port: number): Promise<void> {
  await listenOn(server, `${host}:${port}`, [port, host]);
}

/** Removes a socket file, ignoring one that is already gone (uWSGI's `vacuum`). */
export async function removeSocket(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function listenOn(server: Server, name: string, args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    function onListening(): void {
      server.off('error', onError);
      resolve();
    }
    function onError(err: Error): void {
      server.off('listening', onListening);
      reject(new MlserveError('ERR_SOCKET', `cannot listen on ${name}: ${err.message}`, { cause: err }));
    }
    server.once('listening', onListening);
    server.once('error', onError);
    (server.listen as (...a: unknown[]) => Server)(...args);
  });
}
