import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type MlserveError } from '../errors.js';

// The Date header, made once a second (node's http server caches it the same way).
let dateSecond = -1;
let dateValue = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

/**
 * A whole HTTP/1.1 response that closes the connection, as text (ASCII head, UTF-8 body): the
 * bytes node's ServerResponse writes for `writeHead(status, headers); end(body)` on a request
 * that closes (a Date, `connection: close`, the body's length). `headers` are lower-case names;
 * a `connection` or `content-length` among them is replaced. Pure but for the clock.
 *
 * @example rawHttpResponse(200, { 'content-type': 'application/json' }, '{}')
 * // 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ndate: ...\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}'
 */
export function rawHttpResponse(status: number, headers: Readonly<Record<string, string>>, body: string): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in headers) {
    if (name === 'connection' || name === 'content-length' || name === 'date') continue;
    head += `${name}: ${headers[name]}\r\n`;
  }
  return `${head}date: ${httpDate()}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * Answers a refused uwsgi request with mlserve's JSON error (the error table's status and
 * headers) and closes. What the client still sends is read and dropped: closing with unread
 * bytes makes the kernel reset the connection, and the client could lose the answer (a
 * "lingering close", bounded to 2 s).
 */
export function writeErrorAndLinger(socket: Socket, err: MlserveError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(err.code, err.message);
  const lines = [`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`];
  for (const [k, v] of Object.entries({ ...err.headers, connection: 'close' })) lines.push(`${k}: ${v}`);
  socket.on('error', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  socket.on('data', function discard() {});
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), 2000).unref();
}
