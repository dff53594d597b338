import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../test/helpers/cleanup.js';
import { repoRoot } from '../test/helpers/paths.js';

/** bench/staticStatsServer.c, running. */
export interface StaticStatsServer {
  /** Its Unix socket. */
  path: string;
  pid: number;
  stop(): Promise<void>;
}

/** Why the static server cannot run here (no C compiler), or false. */
export function staticStatsServerMissing(): string | false {
  return spawnSync('sh', ['-c', 'command -v gcc']).status === 0 ? false : 'gcc is not installed (apt-get install gcc)';
}

/**
 * Compiles bench/staticStatsServer.c with gcc into a temp dir and starts it, serving `document`
 * to every client of a Unix socket in that dir: the floor a stats reader costs with a server that
 * does nothing.
 */
export async function startStaticStatsServer(document: string): Promise<StaticStatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-static-stats-'));
  const bin = join(dir, 'staticStatsServer');
  const cc = spawnSync('gcc', ['-O2', '-o', bin, join(repoRoot, 'bench', 'staticStatsServer.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  const docFile = join(dir, 'stats.json');
  writeFileSync(docFile, document);
  const path = join(dir, 'stats.sock');
  const child = spawn(bin, [path, docFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(function killStaticStatsServer() {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = once(child, 'close');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
    void closed.then(() => reject(new Error(`staticStatsServer exited: ${stderr}`)));
  });
  return {
    path,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await closed;
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
