import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { onProcessExit } from '../test/helpers/cleanup.js';
import { httpRequest } from '../test/helpers/http.js';
import { findFreePort } from '../test/helpers/ports.js';
import { sharedDir } from '../test/helpers/paths.js';
import { nginxMissing } from '../test/helpers/nginx.js';
import { isAlive } from './procs.js';
import { parseStats } from '../src/mltop/parseStats.js';
import { readStatsText } from '../src/mltop/statsTarget.js';

/** The seed's stack we benchmark against: nginx -> uwsgi_pass -> uWSGI -> Flask + numpy. */
export const peerScript: string = join(sharedDir, 'peers', 'uwsgi-flask', 'run.sh');

const PYTHON3_PLUGIN = '/usr/lib/uwsgi/plugins/python3_plugin.so';

/** Why the peer cannot run here (for `{ skip }`), or false when it can. */
export function peerMissing(): string | false {
  const nginx = nginxMissing();
  if (nginx) return nginx;
  try {
    accessSync(peerScript, constants.X_OK);
  } catch {
    return `${peerScript} is missing (the shared peers dir beside the repo)`;
  }
  for (const bin of ['uwsgi', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  if (!existsSync(PYTHON3_PLUGIN)) return `uWSGI's python3 plugin is not installed (${PYTHON3_PLUGIN}: uwsgi-plugin-python3)`;
  if (spawnSync('/usr/bin/python3', ['-c', 'import flask, numpy']).status !== 0) {
    return 'python3-flask and python3-numpy are not both installed for /usr/bin/python3';
  }
  return false;
}

/** Options of {@link startPeer}. */
export interface PeerOptions {
  /** A model version dir in mlserve's format; random weights of the Reuters shapes without it. */
  modelDir?: string;
  /** Loopback port of the peer's nginx; a free one by default. */
  port?: number;
}

/** The peer, running. */
export interface RunningPeer {
  port: number;
  url: string;
  /** PEER_RUN: configs, pidfiles, logs and sockets of this peer. */
  runDir: string;
  /** The uWSGI master; its workers are its children. nginx is not part of it. */
  uwsgiPid(): number;
  /** uWSGI's and nginx's masters: run.sh daemonizes both, so they are not our descendants. */
  daemonPids(): number[];
  /** uWSGI's stats server (the ini's `stats = @RUN@/peer-stats.sock`). */
  statsPath: string;
  /** `run.sh stop`, then waits until uWSGI and nginx are gone. */
  stop(): Promise<void>;
}

/**
 * Starts the peer with `run.sh start` in a temp PEER_RUN dir and checks it answers a prediction
 * (run.sh itself reports "peer up" even when it is not).
 */
export async function startPeer(options: PeerOptions = {}): Promise<RunningPeer> {
  const port = options.port ?? (await findFreePort());
  const runDir = mkdtempSync(join(tmpdir(), 'mlserve-peer-'));
  // The peer's nginx workers run as `nobody` and must reach peer.sock inside this dir.
  chmodSync(runDir, 0o755);
  const env = { ...process.env, PEER_RUN: runDir, PEER_MODEL_DIR: options.modelDir ?? '' };
  const pids = (): number[] => ['uwsgi.pid', 'nginx.pid'].flatMap((name) => readPid(join(runDir, name)) ?? []);
  // run.sh daemonizes both, so they are not our children: signal them by pidfile on a crash,
  // as run.sh stop does. Not SIGKILL: a killed master would leave its workers running.
  let known: number[] = [];
  const unregister = onProcessExit(function killPeer() {
    const uwsgi = readPid(join(runDir, 'uwsgi.pid'));
    const nginx = readPid(join(runDir, 'nginx.pid'));
    if (nginx !== undefined && isAlive(nginx)) process.kill(nginx, 'SIGTERM');
    if (uwsgi !== undefined && isAlive(uwsgi)) process.kill(uwsgi, 'SIGINT');
    rmSync(runDir, { recursive: true, force: true });
  });

  const stop = async function stopPeer(): Promise<void> {
    known = [...new Set([...known, ...pids()])];
    // A worker the cheaper just spawned may still be loading the app; see waitForPeerApps. If it
    // never finishes, waitGone below reports the processes that outlived the stop.
    if (known.length > 0) await waitForPeerApps(join(runDir, 'peer-stats.sock'), 10_000).catch(() => undefined);
    await runScript(['stop'], env);
    await waitGone(known, 15_000);
    unregister();
    rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await runScript(['start', String(port)], env);
    known = pids();
    const res = await httpRequest({ port, path: '/predict?text=oil+prices+rose' });
    if (res.status !== 200) throw new Error(`peer answers ${res.status}: ${res.body}`);
  } catch (err) {
    const log = [join(runDir, 'uwsgi.log'), join(runDir, 'nginx-error.log')]
      .filter((file) => existsSync(file))
      .map((file) => `--- ${file}\n${readFileSync(file, 'utf8').slice(-3000)}`)
      .join('\n');
    await stop().catch(() => undefined);
    throw new Error(`the uWSGI peer did not start: ${(err as Error).message}\n${log}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    runDir,
    uwsgiPid() {
      const pid = readPid(join(runDir, 'uwsgi.pid'));
      if (pid === undefined) throw new Error(`no uWSGI pidfile in ${runDir}`);
      return pid;
    },
    daemonPids: pids,
    statsPath: join(runDir, 'peer-stats.sock'),
    stop,
  };
}

/**
 * Waits until every spawned uWSGI worker has loaded the app (`apps` not empty in the stats
 * document). The peer answers its first request when one worker is ready, but with lazy-apps the
 * others are still importing numpy and Flask then, and a worker killed in that state keeps
 * uWSGI's master waiting out its 60 s "mercy" on SIGINT: a stop right after a start must wait.
 * Polls: loading an app in another process sends no event this side can wait on.
 */
export async function waitForPeerApps(statsPath: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await readStatsText({ kind: 'unix', path: statsPath }).then(parseStats, () => null);
    const workers = (doc as { workers?: Array<{ pid?: number; apps?: unknown[] }> } | null)?.workers ?? [];
    const spawned = workers.filter((w) => (w.pid ?? 0) > 0);
    if (spawned.length > 0 && spawned.every((w) => Array.isArray(w.apps) && w.apps.length > 0)) return;
    if (Date.now() > deadline) throw new Error(`uWSGI workers still loading the app after ${timeoutMs} ms`);
    await delay(50);
  }
}

async function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn('bash', [peerScript, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`run.sh ${args.join(' ')} exited with ${code}:\n${output}`);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until none of `pids` is alive. run.sh daemonized them, so no exit event reaches us:
 * polling /proc is the only way to see them go.
 */
async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      for (const pid of alive) process.kill(pid, 'SIGKILL');
      throw new Error(`peer processes ${alive.join(', ')} still alive ${timeoutMs} ms after run.sh stop; killed`);
    }
    await delay(100);
  }
}
