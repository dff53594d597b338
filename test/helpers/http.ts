import { request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** Options of {@link httpRequest}: a Unix socket (mlserve) or a loopback TCP port (nginx). */
export interface HttpRequestOptions {
  socketPath?: string;
  port?: number;
  /** Loopback only: tests and the bench never reach beyond this machine. */
  host?: string;
  method?: string;
  path: string;
  /** A string or Buffer is sent as is; anything else as JSON with content-type application/json. */
  body?: unknown;
  headers?: OutgoingHttpHeaders;
  /** An http.Agent with keepAlive to reuse one connection across requests. */
  agent?: Agent;
  timeoutMs?: number;
}

/** A whole response; `json` is the parsed body when it is JSON, else undefined. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: T | undefined;
}

/**
 * One HTTP request with node:http, over a Unix socket or to 127.0.0.1:port, read to the end.
 *
 * @example
 * const res = await httpRequest<{ label: string }>({ socketPath, path: '/predict?text=oil' });
 * assert.equal(res.status, 200);
 */
export function httpRequest<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>> {
  const { socketPath, port, host = '127.0.0.1', method = 'GET', path, body, agent, timeoutMs = 30_000 } = options;
  if ((socketPath === undefined) === (port === undefined)) {
    throw new TypeError('httpRequest: give exactly one of socketPath and port');
  }
  const headers: OutgoingHttpHeaders = { ...options.headers };
  let payload: string | Buffer | undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    payload = body;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);

  return new Promise((resolve, reject) => {
    const req = request(
      { ...(socketPath === undefined ? { host, port } : { socketPath }), method, path, headers, ...(agent ? { agent } : {}) },
      function onResponse(res) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: parseJson<T>(text, res.headers) });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson<T>(text: string, headers: IncomingHttpHeaders): T | undefined {
  if (!/\bjson\b/.test(headers['content-type'] ?? '')) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // A JSON content-type with a broken body: tests assert on `body` then.
  }
}
