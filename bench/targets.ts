import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../test/helpers/cleanup.js';
import { LineLog } from '../test/helpers/lines.js';
import { startMlserve } from '../test/helpers/mlserve.js';
import { startNginx, type RunningNginx } from '../test/helpers/nginx.js';
import { repoRoot, sharedDir } from '../test/helpers/paths.js';
import { startPeer } from './peer.js';

/** A server under load, reachable through its nginx, with the pid its memory is counted from. */
export interface Target {
  name: string;
  /** One line for the report: what runs, how many workers. */
  description: string;
  /** nginx's base URL. */
  url: string;
  /** nginx's loopback port. */
  port: number;
  /** Root of the server's process tree (nginx is not part of it). */
  serverPid: number;
  /** Processes of this target outside the bench's own tree (daemons), for {@link cpuSnapshot}. */
  daemonPids(): number[];
  /** The server's uWSGI-style stats socket, when it has one. */
  statsPath?: string;
  stop(): Promise<void>;
}

/** The site file every Node server sits behind: the one mlserve ships. */
const siteConf = join(repoRoot, 'nginx', 'mlserve.conf');
/** The classic stack's own nginx site (`include uwsgi_params; uwsgi_pass unix:...;`), read in place. */
const seedSiteConf = join(sharedDir, 'fixtures', 'seed', 'nginx-site.conf');

/** Options of {@link startMlserveTarget}. */
export interface MlserveTargetOptions {
  modelBase: string;
  /** CLI arguments after --config config/mlserve.ini and --socket, e.g. ['--workers', '2']. */
  args: string[];
  /** Serve the stats socket (`--stats`) in the server's temp dir. */
  stats?: boolean;
  /** The report's name for it; `mlserve` by default. */
  name?: string;
  /** nginx/mlserve.conf (proxy_pass, upstream keepalive) by default; `uwsgi_pass`: the seed's own site. */
  site?: 'proxy_pass' | 'uwsgi_pass';
}

/** mlserve (config/mlserve.ini plus `args`) behind the real nginx with nginx/mlserve.conf. */
export async function startMlserveTarget(options: MlserveTargetOptions): Promise<Target> {
  const statsDir = options.stats ? mkdtempSync(join(tmpdir(), 'mlserve-bench-stats-')) : undefined;
  const statsPath = statsDir === undefined ? undefined : join(statsDir, 'stats.sock');
  const args = ['--model', options.modelBase, ...options.args, ...(statsPath ? ['--stats', statsPath] : [])];
  const removeStatsDir = (): void => {
    if (statsDir) rmSync(statsDir, { recursive: true, force: true });
  };
  const ml = await startMlserve({ args }).catch((err: unknown) => {
    removeStatsDir();
    throw err;
  });
  let nginx: RunningNginx;
  try {
    nginx = await startNginx({ siteConf: options.site === 'uwsgi_pass' ? seedSiteConf : siteConf, socketPath: ml.socketPath });
  } catch (err) {
    await ml.stop('SIGKILL');
    removeStatsDir();
    throw err;
  }
  const model = ml.ready['model'] as { name?: string; version?: number } | undefined;
  return {
    name: options.name ?? 'mlserve',
    description:
      `mlserve ${options.args.join(' ')} (${String(ml.ready['workers'])} workers at start, backend ${String(ml.ready['backend'])}, ` +
      `model ${model?.name}/${model?.version}); ` +
      (options.site === 'uwsgi_pass'
        ? "the seed's nginx-site.conf (uwsgi_pass, a new upstream connection a request, Unix socket)"
        : 'nginx/mlserve.conf (proxy_pass, upstream keepalive 32, Unix socket)'),
    url: nginx.url,
    port: nginx.port,
    serverPid: ml.pid,
    daemonPids: () => [],
    ...(statsPath ? { statsPath } : {}),
    async stop() {
      try {
        await nginx.stop();
      } finally {
        const code = await ml.stop();
        removeStatsDir();
        if (code !== 0) console.error(`mlserve exited with ${code} on SIGTERM`);
      }
    },
  };
}

/** The seed's stack: nginx -> uwsgi_pass -> uWSGI (cheaper spare 2..8) -> Flask + numpy. */
export async function startPeerTarget(options: { modelDir: string }): Promise<Target> {
  const peer = await startPeer({ modelDir: options.modelDir });
  return {
    name: 'uwsgi-flask',
    description: `uWSGI lazy-apps, cheaper spare 2..8 processes (step 2), Flask + numpy; its own nginx, uwsgi_pass (Unix socket)`,
    url: peer.url,
    port: peer.port,
    serverPid: peer.uwsgiPid(),
    daemonPids: () => peer.daemonPids(),
    statsPath: peer.statsPath,
    stop: () => peer.stop(),
  };
}

/**
 * The ceiling: bench/helloServer.ts (hono on @hono/node-server, a fixed JSON body) behind the
 * same nginx site file as mlserve, so the two differ only in what happens behind the socket.
 */
export async function startHelloTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-hello-'));
  const socketPath = join(dir, 'hello.sock');
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bench', 'helloServer.js'), socketPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onProcessExit(function killHello() {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const out = new LineLog<string>(child.stdout!, (line) => line);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('close', (code, signal) => out.fail(new Error(`helloServer exited (code ${code}, signal ${signal}):\n${out.text()}\n${stderr}`)));
  const stopChild = async function stopHello(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await closed;
      clearTimeout(timer);
    }
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };

  let nginx: RunningNginx;
  try {
    await out.waitFor((line) => line.startsWith('listening '), { timeoutMs: 15_000, what: 'helloServer "listening" line' });
    nginx = await startNginx({ siteConf, socketPath });
  } catch (err) {
    await stopChild();
    throw err;
  }
  return {
    name: 'hello-world',
    description: 'hono + @hono/node-server answering a fixed JSON body (bench/helloServer.ts); nginx/mlserve.conf, as mlserve',
    url: nginx.url,
    port: nginx.port,
    serverPid: child.pid!,
    daemonPids: () => [],
    async stop() {
      try {
        await nginx.stop();
      } finally {
        await stopChild();
      }
    },
  };
}
