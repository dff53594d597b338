import { connect, type Socket } from 'node:net';
import { encodeUwsgiPacket } from '../../src/net/uwsgiPacket.js';

/** A raw answer read to the connection's end: status line, headers, body. */
export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  raw: string;
}

/** Options of {@link sendRaw}. */
export interface RawOptions {
  socketPath?: string;
  port?: number;
  /** Written one after another, each as its own write. */
  chunks: Buffer[];
  /** Reject when the server has not closed the connection by then. */
  timeoutMs?: number;
}

/** Parses what a server wrote before closing (a raw HTTP/1.x response, or nothing). */
export function parseRawAnswer(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  if (!m || end === -1) return { status: 0, headers: {}, body: raw, json: undefined, raw };
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(end + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(m[1]), headers, body, json, raw };
}

/**
 * Writes raw bytes on a new connection and reads until the server closes it, as nginx does
 * with a uwsgi upstream (one request per connection).
 */
export function sendRaw(options: RawOptions): Promise<RawAnswer> {
  const { chunks, timeoutMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const socket: Socket = options.socketPath !== undefined ? connect(options.socketPath) : connect(options.port!, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 200))}`));
    }, timeoutMs);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (d: Buffer) => received.push(d));
    // A server that closes on a half-sent request can make our writes fail: that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRawAnswer(Buffer.concat(received).toString('latin1')));
    });
  });
}

/** Vars as nginx's uwsgi_params sends them for `method path?query`; `extra` replaces a var of the same name. */
export function nginxVars(method: string, pathAndQuery: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = q === -1 ? '' : pathAndQuery.slice(q + 1);
  const base: Array<[string, string]> = [
    ['QUERY_STRING', query],
    ['REQUEST_METHOD', method],
    ['CONTENT_TYPE', ''],
    ['CONTENT_LENGTH', ''],
    ['REQUEST_URI', pathAndQuery],
    ['PATH_INFO', decodeURIComponent(path)],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['HTTP_HOST', 'localhost'],
  ];
  const names = new Set(extra.map(([k]) => k));
  return [...base.filter(([k]) => !names.has(k)), ...extra];
}

/** One uwsgi request (packet, then body) on a new connection; the server's raw answer. */
export function uwsgiRequest(options: { socketPath?: string; port?: number; vars: Array<[string, string]>; body?: Buffer; timeoutMs?: number }): Promise<RawAnswer> {
  const { vars, body } = options;
  return sendRaw({
    ...(options.socketPath !== undefined ? { socketPath: options.socketPath } : { port: options.port! }),
    chunks: [encodeUwsgiPacket(vars), ...(body ? [body] : [])],
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** The statuses a fuzzed packet may get: an answer (200/404 when it still parses), an error, or a closed connection (0). */
export const FUZZ_STATUSES: readonly number[] = [0, 200, 400, 404, 408, 431];

/**
 * `count` deterministic fuzz cases built from a valid packet `good`: random bytes, truncations,
 * bytes flipped (the header's datasize and modifiers included) and the packet with junk after it.
 * Each case is the list of writes of one connection.
 */
export function fuzzedPackets(good: Buffer, count: number, seed: number): Buffer[][] {
  let state = seed;
  const random = (n: number): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const cases: Buffer[][] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) cases.push([Buffer.from(Array.from({ length: 1 + random(200) }, () => random(256)))]);
    if (kind === 1) cases.push([good.subarray(0, random(good.length))]);
    if (kind === 2) {
      const flipped = Buffer.from(good);
      flipped[1 + random(3)] = random(256);
      for (let j = 0; j < 3; j++) flipped[4 + random(good.length - 4)] = random(256);
      cases.push([flipped]);
    }
    if (kind === 3) cases.push([good, Buffer.from('GET / HTTP/1.1\r\n\r\n')]);
  }
  return cases;
}
