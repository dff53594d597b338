import { join } from 'node:path';
import { startMlserve } from '../test/helpers/mlserve.js';
import { startNginx } from '../test/helpers/nginx.js';
import { repoRoot } from '../test/helpers/paths.js';
import { startPeer } from './peer.js';

/** A server under load, reachable through its nginx, with the pid its memory is counted from. */
export interface Target {
  name: string;
  /** One line for the report: what runs, how many workers. */
  description: string;
  /** nginx's base URL. */
  url: string;
  /** Root of the server's process tree (nginx is not part of it). */
  serverPid: number;
  stop(): Promise<void>;
}

/** mlserve (default config) behind the real nginx with nginx/mlserve.conf. */
export async function startMlserveTarget(options: { workers: number; modelBase: string }): Promise<Target> {
  const ml = await startMlserve({ args: ['--workers', String(options.workers), '--model', options.modelBase] });
  try {
    const nginx = await startNginx({ siteConf: join(repoRoot, 'nginx', 'mlserve.conf'), socketPath: ml.socketPath });
    const model = ml.ready['model'] as { name?: string; version?: number } | undefined;
    return {
      name: 'mlserve',
      description:
        `mlserve ${String(ml.ready['workers'])} worker threads, backend ${String(ml.ready['backend'])}, ` +
        `model ${model?.name}/${model?.version}; nginx/mlserve.conf (proxy_pass, upstream keepalive, Unix socket)`,
      url: nginx.url,
      serverPid: ml.pid,
      async stop() {
        try {
          await nginx.stop();
        } finally {
          const code = await ml.stop();
          if (code !== 0) console.error(`mlserve exited with ${code} on SIGTERM`);
        }
      },
    };
  } catch (err) {
    await ml.stop('SIGKILL');
    throw err;
  }
}

/** The seed's stack: nginx -> uwsgi_pass -> uWSGI (cheaper spare 2..8) -> Flask + numpy. */
export async function startPeerTarget(options: { modelDir: string }): Promise<Target> {
  const peer = await startPeer({ modelDir: options.modelDir });
  return {
    name: 'uwsgi-flask',
    description: `uWSGI lazy-apps, cheaper spare 2..8 processes, Flask + numpy; nginx uwsgi_pass (Unix socket)`,
    url: peer.url,
    serverPid: peer.uwsgiPid(),
    stop: () => peer.stop(),
  };
}
