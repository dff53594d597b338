import { request } from 'node:http';
import { connect } from 'node:net';
import { resolve } from 'node:path';

/** Where mltop reads stats from. */
export type StatsTarget =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  /** A stats-http server: a URL, over TCP or (`socketPath`) a Unix socket. */
  | { kind: 'http'; url: string; socketPath?: string };

/**
 * Reads an ADDRESS argument the way uwsgitop does: `http://host:port/...` is HTTP, `host:port`
 * (no `/`) is TCP, anything else a Unix socket path (relative to `cwd`).
 *
 * @example
 * parseTarget('127.0.0.1:9191') // { kind: 'tcp', host: '127.0.0.1', port: 9191 }
 */
export function parseTarget(arg: string, cwd: string = process.cwd()): StatsTarget {
  if (/^https?:\/\//i.test(arg)) return { kind: 'http', url: arg };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^/:[\]]*)):(\d{1,5})$/.exec(arg);
  if (m) return { kind: 'tcp', host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
  return { kind: 'unix', path: resolve(cwd, arg) };
}

/** The target as the header and messages name it. */
export function describeTarget(t: StatsTarget): string {
  switch (t.kind) {
    case 'unix':
      return t.path;
    case 'tcp':
      return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
    case 'http':
      return t.socketPath ? `${t.url} via ${t.socketPath}` : t.url;
  }
}

/**
 * Reads one stats document's text: connect, read to EOF (uWSGI writes it and closes), or for
 * HTTP a GET whose body is returned. Rejects on a refused connection, an HTTP status other than
 * 200, or no complete answer within `timeoutMs`.
 */
export function readStatsText(target: StatsTarget, timeoutMs = 3000): Promise<string> {
  return target.kind === 'http' ? readHttp(target, timeoutMs) : readRaw(target, timeoutMs);
}

function readRaw(target: Extract<StatsTarget, { kind: 'unix' | 'tcp' }>, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = target.kind === 'unix' ? connect(target.path) : connect(target.port, target.host);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete stats document within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('end', () => {
      socket.destroy();
      resolvePromise(stripHttpHead(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function readHttp(target: Extract<StatsTarget, { kind: 'http' }>, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const url = new URL(target.url);
    const req = request(
      target.socketPath
        ? { socketPath: target.socketPath, path: url.pathname + url.search, headers: { host: url.host || 'localhost' } }
        : url,
      function onResponse(res) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode ?? '?'} from ${target.url}`));
          else resolvePromise(Buffer.concat(chunks).toString('utf8'));
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete stats document within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

// A stats-http server read as a plain socket answers with headers: keep the body.
function stripHttpHead(text: string): string {
  if (!text.startsWith('HTTP/')) return text;
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? '' : text.slice(end).replace(/^\r?\n\r?\n/, '');
}
