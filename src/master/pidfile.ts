import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MlserveError } from '../errors.js';

/** Writes our pid to `path` (uWSGI's `pidfile`), creating its directory. */
export async function writePidfile(path: string, pid = process.pid): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${pid}\n`, { mode: 0o644 });
}

/** Removes the pidfile if it still names us (a newer instance may have taken it over). */
export async function removePidfile(path: string, pid = process.pid): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text !== null && Number(text.trim()) === pid) await unlink(path).catch(() => {});
}

/**
 * The pid of a running master, from its pidfile: ERR_CLI_ARGS when the file is missing or
 * malformed, or when no process has that pid (a stale file).
 */
export async function readPidfile(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new MlserveError('ERR_CLI_ARGS', `cannot read the pidfile ${path} (${err.code}): is mlserve running?`);
  });
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new MlserveError('ERR_CLI_ARGS', `${path} does not hold a pid: ${JSON.stringify(text.trim())}`);
  try {
    process.kill(pid, 0);
  } catch {
    throw new MlserveError('ERR_CLI_ARGS', `${path} names pid ${pid}, which is not running (a stale pidfile)`);
  }
  return pid;
}
