import { chown } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { lookupAccount, parseOwner } from './accounts.js';

/** `KEY=VALUE` split once at the first `=`, as uWSGI's `env` does; ERR_CONFIG_VALUE otherwise. */
export function parseEnvEntry(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new MlserveError('ERR_CONFIG_VALUE', `env = ${entry}: expected KEY=VALUE`);
  return [entry.slice(0, eq), entry.slice(eq + 1)];
}

/**
 * uWSGI's `env` and `chdir`, applied to this process before any worker thread exists (threads
 * copy the environment when they start). The config's paths are absolute already, so `chdir`
 * only changes what a relative path means to the model code and the workers.
 */
export function applyEnvAndChdir(config: Config, log: Logger): void {
  for (const entry of config.env) {
    const [key, value] = parseEnvEntry(entry);
    process.env[key] = value;
  }
  if (config.env.length > 0) log.info({ env: config.env.map((e) => parseEnvEntry(e)[0]) }, 'environment set (env)');
  if (config.chdir) {
    try {
      process.chdir(config.chdir);
    } catch (err) {
      throw new MlserveError('ERR_CONFIG_VALUE', `chdir = ${config.chdir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** uWSGI's `chown-socket`: the socket files' owner, set while we may still change it. */
export async function chownSockets(config: Config, files: readonly string[]): Promise<void> {
  if (!config.chownSocket) return;
  const { uid, gid } = parseOwner(config.chownSocket);
  for (const file of files) {
    try {
      await chown(file, uid, gid);
    } catch (err) {
      throw new MlserveError('ERR_PRIVILEGES', `chown-socket = ${config.chownSocket}: cannot chown ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * uWSGI's `gid` then `uid`: drops the process's (and so every thread's) privileges once the
 * sockets are bound and before any worker starts. Supplementary groups become those of `uid`
 * (initgroups), or just `gid` when uid is not a listed user, so no root group survives. An
 * impossible drop is an error, never a silent run as root: not root and asked for another
 * user, an unknown name, or a setuid(0) that still succeeds afterwards.
 */
export function dropPrivileges(config: Config, log: Logger): void {
  if (config.uid === null && config.gid === null) return;
  const user = config.uid === null ? null : lookupAccount('user', config.uid, 'uid');
  const group = config.gid === null ? null : lookupAccount('group', config.gid, 'gid');
  const uid = user?.id ?? process.getuid!();
  const gid = group?.id ?? user?.gid ?? process.getgid!();
  if (uid === process.getuid!() && gid === process.getgid!()) {
    log.info({ uid, gid }, 'uid/gid: already running as them, nothing to drop');
    return;
  }
  if (process.getuid!() !== 0) {
    throw new MlserveError('ERR_PRIVILEGES', `uid = ${config.uid ?? '(unset)'}, gid = ${config.gid ?? '(unset)'}: changing user needs root, and mlserve runs as uid ${process.getuid!()}; start it as root or drop uid/gid (systemd User=/Group=)`);
  }
  try {
    process.setgid!(gid);
    if (user?.name) (process as unknown as { initgroups(user: string, extra: number): void }).initgroups(user.name, gid);
    else process.setgroups!([gid]);
    process.setuid!(uid);
  } catch (err) {
    throw new MlserveError('ERR_PRIVILEGES', `cannot switch to uid ${uid} gid ${gid}: ${(err as Error).message}`, { cause: err });
  }
  if (uid !== 0) {
    let regained = false;
    try {
      process.setuid!(0);
      regained = true;
    } catch {
      // expected: root is gone for good
    }
    if (regained) throw new MlserveError('ERR_PRIVILEGES', `uid ${uid}: root could be regained after dropping privileges; refusing to run`);
  }
  log.info({ uid, gid, user: user?.name ?? null, groups: process.getgroups!() }, 'privileges dropped (uid/gid)');
}
