import type { Duplex } from 'node:stream';
import { ERRORS, errorBody, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Longest request target the API reads, bytes: room for `/predict?text=` with a text of
 * `max-text-length` characters percent-encoded (3 bytes per character), plus 1 KiB. Longer
 * gets 414 ERR_URI_TOO_LONG (JSON), not Node's bare 400.
 */
export function maxUriLength(maxTextLength: number): number {
  return 3 * maxTextLength + 1024;
}

/**
 * The `maxHeaderSize` of the HTTP servers: the longest request target plus 16 KiB of headers
 * (Node's own default for headers alone). Past it Node's parser stops and
 * {@link clientErrorHandler} answers 414 or 431.
 */
export function maxHeaderSize(maxTextLength: number): number {
  return maxUriLength(maxTextLength) + 16 * 1024;
}

/**
 * The answer to a request Node's HTTP parser refused (`clientError`), as JSON like every other
 * error: 414 when the request line alone passed `maxHeaderSize`, 431 when the headers did, 400
 * for anything else that is not HTTP/1.1. Node's default writes a bare `400` with no body.
 */
export function clientErrorHandler(log: Logger): (err: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number }, socket: Duplex) => void {
  return function clientError(err, socket) {
    log.debug({ err }, 'client error');
    // A response already partly written on this connection (a pipelined request before the bad
    // one): our bytes would land inside it. Node's own handler holds back in that case too.
    const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
    if (!socket.writable || err.code === 'ECONNRESET' || inFlight?._headerSent === true) {
      socket.destroy();
      return;
    }
    const code = clientErrorCode(err);
    const { status, headers = {} } = ERRORS[code] as { status: number; headers?: Record<string, string> };
    const body = errorBody(code, clientErrorMessage(code, err));
    const lines = [`HTTP/1.1 ${status} ${REASONS[code]}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };
}

const REASONS: Partial<Record<ErrorCode, string>> = {
  ERR_URI_TOO_LONG: 'URI Too Long',
  ERR_HEADERS_TOO_LARGE: 'Request Header Fields Too Large',
  ERR_BAD_REQUEST: 'Bad Request',
};

/** Which error a parser failure is. The parser only says "header overflow": no line end in what it read means the request line. */
function clientErrorCode(err: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number }): 'ERR_URI_TOO_LONG' | 'ERR_HEADERS_TOO_LARGE' | 'ERR_BAD_REQUEST' {
  if (err.code !== 'HPE_HEADER_OVERFLOW') return 'ERR_BAD_REQUEST';
  const raw = err.rawPacket;
  const lineEnd = raw ? raw.indexOf('\r\n') : -1;
  return lineEnd < 0 ? 'ERR_URI_TOO_LONG' : 'ERR_HEADERS_TOO_LARGE';
}

function clientErrorMessage(code: ErrorCode, err: Error): string {
  if (code === 'ERR_URI_TOO_LONG') return 'the request line is too long; send long texts with POST /predict';
  if (code === 'ERR_HEADERS_TOO_LARGE') return 'the request headers are too large';
  return `not a valid HTTP/1.1 request: ${err.message}`;
}
