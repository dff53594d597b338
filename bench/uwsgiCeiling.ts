/**
 * What the uwsgi_pass path can reach on this machine: wrk -> the seed's own nginx site
 * (`uwsgi_pass`, a new upstream connection a request) -> a Unix socket served by
 *
 *   net        a bare node `net` server: every connection's first bytes answered with a fixed
 *              HTTP response, then end (node's accept + read + write + close, nothing else);
 *   sniffer    mlserve's own listener stack (http.Server, protocol sniffer, uwsgi reader) with an
 *              HTTP listener that answers the fixed response (the uwsgi handoff to node's HTTP server);
 *   direct     the same stack with a uwsgi direct handler answering the fixed response (mlserve's
 *              uwsgi framing, no app: what the GET /predict lane costs before it predicts);
 *   mlserve    mlserve itself (GET /predict, the model, the threads), as `npm run bench` starts it;
 *   peer       the seed's uWSGI + Flask behind the same site;
 *   mlserve-args  mlserve with `--mlserve-args "FLAGS"` added (e.g. "--batch-timeout-micros 200");
 *   before     mlserve as another built checkout (`--before DIR`: its dist/, its test ini) serves it,
 *              e.g. the commit before a change, for a before/after in the same run.
 *
 * each in turn, the same GET /predict paths as the bench, one after the other in one run, so the
 * figures compare as ratios. Not part of `npm run bench` (docs/benchmarks.md, "uwsgi_pass path").
 *
 *   node dist/bench/uwsgiCeiling.js [--servers net,net-destroy,sniffer,mlserve,before,peer] [--before DIR]
 *                                   [--duration 5] [--warmup 1] [--concurrency 64] [--rounds 1]
 *
 * `net` ends each connection with `end()` (a half-close, then the peer's close), `net-destroy`
 * writes and closes at once, as mlserve's uwsgi lane does.
 */
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { speakProtocol } from '../src/net/protocolSniffer.js';
import { UwsgiConnections } from '../src/net/uwsgiConnection.js';
import { createLogger } from '../src/log.js';
import { predictPath } from '../test/helpers/getText.js';
import { startNginx } from '../test/helpers/nginx.js';
import { reutersGetTexts } from '../test/helpers/reuters.js';
import { repoRoot, reutersModelBase, sharedDir } from '../test/helpers/paths.js';
import { resolveModelVersion } from '../src/model/resolveModelVersion.js';
import { cpuTicks, processTree } from './procs.js';
import { startPeerTarget } from './targets.js';
import { runWrk } from './wrk.js';

const BODY = '{"prediction":"3","label":"earn","probability":0.97}';
const RESPONSE = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\nconnection: close\r\n\r\n${BODY}`;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const seedSiteConf = join(sharedDir, 'fixtures', 'seed', 'nginx-site.conf');

/** A running upstream behind nginx: its URL, whose CPU to count, and how to stop both. */
interface Upstream {
  url: string;
  /** The server process (its threads and children count). */
  serverPid: number;
  /** The server runs in this process: its own threads count, not its children (nginx, wrk). */
  inProcess?: boolean;
  /** nginx's master (its worker counts), when the upstream started it. */
  nginxPid?: number;
  stop(): Promise<void>;
}

async function listenSocket(server: Server): Promise<{ dir: string; socketPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-ceiling-'));
  const socketPath = join(dir, 'up.sock');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { dir, socketPath };
}

async function behindSeedSite(server: Server): Promise<Upstream> {
  const { dir, socketPath } = await listenSocket(server);
  const nginx = await startNginx({ siteConf: seedSiteConf, socketPath });
  return {
    url: nginx.url,
    serverPid: process.pid,
    inProcess: true,
    nginxPid: nginx.pid,
    async stop() {
      await nginx.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function bareNet(): Server {
  return createNetServer(function answer(socket) {
    socket.once('data', () => socket.end(RESPONSE));
    socket.on('error', () => socket.destroy());
  });
}

function snifferStack(direct = false): Server {
  const server = createHttpServer(function fixed(_req, res) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODY);
  });
  const uwsgi = new UwsgiConnections(() => ({ bufferSize: 4096, maxBodySize: 1 << 20, timeoutMs: 4000 }), createLogger({ level: 'silent' }));
  if (direct) {
    uwsgi.direct = function fixedAnswer(_request, reply) {
      reply.send(200, JSON_HEADERS, BODY);
      return true;
    };
  }
  speakProtocol(server, 'auto', uwsgi, 66_000);
  return server;
}

/** mlserve as the checkout at `dir` builds it (its dist/, its test ini), `--workers 2`, behind the seed's site. */
async function startMlserveAt(dir: string, extra: string[] = []): Promise<Upstream> {
  const helper = (await import(join(dir, 'dist', 'test', 'helpers', 'mlserve.js'))) as typeof import('../test/helpers/mlserve.js');
  const ml = await helper.startMlserve({ args: ['--model', reutersModelBase, '--workers', '2', ...extra] });
  const nginx = await startNginx({ siteConf: seedSiteConf, socketPath: ml.socketPath });
  return {
    url: nginx.url,
    serverPid: ml.pid,
    nginxPid: nginx.pid,
    async stop() {
      await nginx.stop();
      await ml.stop();
    },
  };
}

async function start(name: string, before: string | undefined, mlserveArgs: string[]): Promise<Upstream> {
  switch (name) {
    case 'net':
      return behindSeedSite(bareNet());
    case 'net-destroy':
      return behindSeedSite(
        createNetServer(function answer(socket) {
          socket.once('data', () => {
            socket.write(RESPONSE);
            if (socket.writableLength === 0) process.nextTick(() => socket.destroy());
            else socket.destroySoon();
          });
          socket.on('error', () => socket.destroy());
        }),
      );
    case 'sniffer':
      return behindSeedSite(snifferStack());
    case 'direct':
      return behindSeedSite(snifferStack(true));
    case 'mlserve':
      return startMlserveAt(repoRoot);
    case 'mlserve-args':
      return startMlserveAt(repoRoot, mlserveArgs);
    case 'before':
      if (before === undefined) throw new RangeError('server before needs --before DIR');
      return startMlserveAt(before);
    case 'peer':
      return startPeerTarget({ modelDir: (await resolveModelVersion(reutersModelBase)).dir }).then((t) => ({ url: t.url, serverPid: t.serverPid, stop: () => t.stop() }));
    default:
      throw new RangeError(`unknown server ${name} (net, sniffer, mlserve, peer)`);
  }
}

/** CPU ticks so far: the server's tree, its main thread, nginx's master and worker. */
function cpuOf(up: Upstream): { server: number; main: number; nginx: number } {
  const sum = (pids: number[]): number => pids.reduce((n, pid) => n + cpuTicks(pid), 0);
  return { server: up.inProcess ? cpuTicks(up.serverPid) : sum(processTree(up.serverPid)), main: cpuTicks(up.serverPid, up.serverPid), nginx: up.nginxPid ? sum(processTree(up.nginxPid)) : 0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string', default: 'net,sniffer,mlserve,peer' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '64' },
      rounds: { type: 'string', default: '1' },
      before: { type: 'string' },
      'mlserve-args': { type: 'string', default: '' },
    },
  });
  const paths = reutersGetTexts(500).map(predictPath);
  const connections = Number(values.concurrency);
  const rows: Array<[string, number, number]> = [];
  const order = Array.from({ length: Number(values.rounds) }, () => values.servers.split(',')).flat();
  for (const name of order) {
    const up = await start(name, values.before, values['mlserve-args'].split(' ').filter(Boolean));
    try {
      if (Number(values.warmup) > 0) await runWrk({ url: up.url, paths, threads: 2, connections, durationS: Number(values.warmup) });
      const cpu0 = cpuOf(up);
      const run = await runWrk({ url: up.url, paths, threads: 2, connections, durationS: Number(values.duration) });
      const cpu1 = cpuOf(up);
      rows.push([name, run.okRps, run.errorsTotal]);
      // CPU per request does not move with what else runs on the machine (req/s does): ms per 1000 requests.
      const per = (a: number, b: number): string => (((b - a) * 10 * 1000) / Math.max(1, run.requests)).toFixed(0);
      console.log(
        `${name}: ${run.okRps.toFixed(0)} req/s (2xx), p50 ${run.latencyMs.p50.toFixed(2)} ms, errors ${run.errorsTotal}; ` +
          `CPU ms per 1000 requests: server ${per(cpu0.server, cpu1.server)} (main thread ${per(cpu0.main, cpu1.main)}), nginx ${up.nginxPid ? per(cpu0.nginx, cpu1.nginx) : '?'}; ${run.command}`,
      );
    } finally {
      await up.stop();
    }
  }
  // Per server, the median of its rounds; ratios to the peer's.
  const medians = new Map<string, number>();
  for (const name of new Set(rows.map((r) => r[0]))) {
    const all = rows.filter((r) => r[0] === name).map((r) => r[1]).sort((a, b) => a - b);
    medians.set(name, all[Math.floor(all.length / 2)]!);
  }
  const peer = medians.get('peer');
  for (const [name, rps] of medians) console.log(`median ${name}: ${rps.toFixed(0)} req/s${peer ? `, ${(rps / peer).toFixed(2)}x the peer` : ''}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
