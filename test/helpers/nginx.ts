import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';
import { LineLog } from './lines.js';
import { findFreePort } from './ports.js';

/** The real nginx binary (Debian's package); NGINX_BIN overrides it. */
export const nginxBin: string = process.env['NGINX_BIN'] ?? '/usr/sbin/nginx';

/** nginx's own uwsgi_params (Debian's path), for sites that `include uwsgi_params;`. */
const uwsgiParams = '/etc/nginx/uwsgi_params';

/** Why nginx-based tests cannot run here (for `{ skip }`), or false when they can. */
export function nginxMissing(): string | false {
  try {
    accessSync(nginxBin, constants.X_OK);
    return false;
  } catch {
    return `${nginxBin} is not installed (apt-get install nginx; .ci/run installs it)`;
  }
}

/**
 * Points a site file such as nginx/mlserve.conf at a test's socket and port: replaces its one
 * `server unix:...;` line and its one `listen ...;` line. Throws when either is not there
 * exactly once, so a reshaped site file fails loudly instead of serving the wrong socket.
 */
export function renderSiteConf(site: string, target: { socketPath: string; listen: string }): string {
  const replaceOnce = (text: string, pattern: RegExp, replacement: string, what: string): string => {
    const count = text.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
    if (count !== 1) throw new Error(`site file: expected exactly one ${what} line, found ${count}`);
    return text.replace(pattern, replacement);
  };
  // `server unix:...;` in an upstream (nginx/mlserve.conf), `uwsgi_pass unix:...;` in the seed's site.
  const withSocket = replaceOnce(site, /^(\s*)(server|uwsgi_pass)\s+unix:[^;\s]+;/m, `$1$2 unix:${target.socketPath};`, '`server unix:...;` or `uwsgi_pass unix:...;`');
  return replaceOnce(withSocket, /^(\s*)listen\s+[^;]+;/m, `$1listen ${target.listen};`, '`listen ...;`');
}

/** The main nginx.conf around a site file: everything nginx writes stays inside `dir`. */
export function nginxMainConf(options: { dir: string; sitePath: string; workerProcesses?: number }): string {
  const { dir, sitePath, workerProcesses = 1 } = options;
  const tmp = join(dir, 'tmp');
  // As root, nginx workers would run as `nobody` and could not open a socket in a 0700 temp
  // dir of root's; the directive is ignored (with a warning) for other users, so only add it then.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `# written by test/helpers/nginx.ts
daemon off;
master_process on;
${user}worker_processes ${workerProcesses};
pid ${join(dir, 'nginx.pid')};
# notice level: the "start worker process" line is how startNginx knows the port is bound.
error_log stderr notice;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  include ${sitePath};
}
`;
}

/** Options of {@link startNginx}. */
export interface NginxOptions {
  /** Path of the site file to serve, e.g. join(repoRoot, 'nginx/mlserve.conf'). */
  siteConf: string;
  /** The upstream Unix socket the site's `server unix:...;` line is pointed at. */
  socketPath: string;
  /** A loopback port to listen on; a free one when not given. */
  port?: number;
  workerProcesses?: number;
  startTimeoutMs?: number;
}

/** A running nginx started by {@link startNginx}. */
export interface RunningNginx {
  port: number;
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  pid: number;
  child: ChildProcess;
  /** nginx's error log (stderr) so far. */
  errorLog(): string;
  /** Graceful stop (SIGQUIT), SIGTERM after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the real nginx in the foreground with `siteConf` pointed at `socketPath` and a
 * loopback port, in a temp prefix dir; resolves once the port accepts connections.
 *
 * @example
 * const nginx = await startNginx({ siteConf: join(repoRoot, 'nginx/mlserve.conf'), socketPath });
 * await httpRequest({ port: nginx.port, path: '/healthz' });
 * await nginx.stop();
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const site = readFileSync(options.siteConf, 'utf8');
  // A free port can be taken between findFreePort() and nginx's bind(): retry with another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await startOnce(options, site, port);
    } catch (err) {
      const taken = err instanceof Error && /Address already in use/.test(err.message);
      if (!taken || options.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function startOnce(options: NginxOptions, site: string, port: number): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  // `include uwsgi_params;` resolves against the config's directory: the one nginx ships.
  if (existsSync(uwsgiParams)) symlinkSync(uwsgiParams, join(dir, 'uwsgi_params'));
  const sitePath = join(dir, 'site.conf');
  writeFileSync(sitePath, renderSiteConf(site, { socketPath: options.socketPath, listen: `127.0.0.1:${port}` }));
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, nginxMainConf({ dir, sitePath, workerProcesses: options.workerProcesses }));

  const child = spawn(nginxBin, ['-p', dir, '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const unregister = onProcessExit(function killNginx() {
    child.kill('SIGTERM'); // nginx's fast shutdown: the master also ends its workers.
    rmSync(dir, { recursive: true, force: true });
  });
  const log = new LineLog(child.stderr!, (line) => line);
  child.once('close', (code, signal) => {
    log.fail(new Error(`nginx exited (code ${code}, signal ${signal}) before it was ready:\n${log.text()}`));
  });

  const stop = async function stopNginx(): Promise<number | null> {
    try {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = once(child, 'close');
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
        await closed;
        clearTimeout(timer);
      }
      return child.exitCode;
    } finally {
      unregister();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    await log.waitFor((line) => /start worker process/.test(line), {
      timeoutMs: options.startTimeoutMs ?? 15_000,
      what: 'nginx "start worker process" line',
    });
    await assertAccepts(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, url: `http://127.0.0.1:${port}`, pid: child.pid!, child, errorLog: () => log.text(), stop };
}

/** One connect to the port: the master binds before it starts workers, so this must succeed. */
async function assertAccepts(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
  } finally {
    socket.destroy();
  }
}
