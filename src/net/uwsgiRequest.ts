/**
 * A uwsgi request's vars (CGI names, as nginx's uwsgi_params sends them) turned into the head of
 * the HTTP/1.0 request it stands for, so one HTTP parser and one request listener serve both
 * protocols with the same routes, errors and limits. Pure.
 */

/** The HTTP request a uwsgi packet describes, or why it describes none. */
export type UwsgiRequestHead =
  | { readonly ok: true; readonly head: Buffer; readonly contentLength: number }
  | { readonly ok: false; readonly message: string };

// Framing and hop-by-hop headers: the uwsgi packet's own CONTENT_LENGTH frames the body, and the
// connection always closes after one answer, as uWSGI's does.
const dropped = new Set(['HTTP_CONTENT_LENGTH', 'HTTP_CONTENT_TYPE', 'HTTP_TRANSFER_ENCODING', 'HTTP_CONNECTION', 'HTTP_KEEP_ALIVE', 'HTTP_UPGRADE', 'HTTP_TE', 'HTTP_TRAILER', 'HTTP_EXPECT', 'HTTP_PROXY_CONNECTION']);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Any control byte but tab; they would split or end the HTTP head we write.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// Bytes a request target may carry as they are (RFC 3986 pchar and '/'); anything else is escaped.
const PATH_SAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g;
const QUERY_UNSAFE = /[\x00-\x20"#<>\\^`{|}\x7f-\xff]/g;

const escapeByte = (ch: string): string => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** The HTTP request a uwsgi packet stands for, as the fields of its head. */
export interface UwsgiHttpRequest {
  readonly method: string;
  /** The request target: path (escaped again) and query. */
  readonly target: string;
  /**
   * The head's header lines in order, lower-case names: content-type, content-length, host
   * (when HTTP_HOST is missing), then one per `HTTP_X_Y` var (repeats kept), values as sent.
   */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly contentLength: number;
}

/** {@link uwsgiHttpRequest}'s answer: the request, or why the vars describe none. */
export type UwsgiHttpParse = { readonly ok: true; readonly request: UwsgiHttpRequest } | { readonly ok: false; readonly message: string };

/**
 * The HTTP request of a uwsgi packet's vars: the method from REQUEST_METHOD, the target from
 * PATH_INFO (percent-encoded again: nginx sends it decoded) and QUERY_STRING (falling back to
 * REQUEST_URI without PATH_INFO), Content-Type and Content-Length from CONTENT_TYPE and
 * CONTENT_LENGTH, each `HTTP_X_Y` var as header `x-y`, and a Host from SERVER_NAME / SERVER_PORT
 * when HTTP_HOST is missing. Values are latin1 strings of the packet's bytes. One pass over the
 * vars, the first of a repeated CGI var counting (uWSGI's own lookup). Pure.
 *
 * @example
 * uwsgiHttpRequest([['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/healthz']])
 * // { ok: true, request: { method: 'GET', target: '/healthz', headers: [['host', 'localhost']], contentLength: 0 } }
 */
export function uwsgiHttpRequest(vars: ReadonlyArray<readonly [string, string]>): UwsgiHttpParse {
  let method: string | undefined;
  let pathInfo: string | undefined;
  let query: string | undefined;
  let requestUri: string | undefined;
  let lengthVar: string | undefined;
  let contentType: string | undefined;
  let serverName: string | undefined;
  let serverPort: string | undefined;
  let hasHost = false;
  let httpVars = 0;
  for (let i = 0; i < vars.length; i++) {
    const [key, value] = vars[i]!;
    switch (key) {
      case 'REQUEST_METHOD': method ??= value; break;
      case 'PATH_INFO': pathInfo ??= value; break;
      case 'QUERY_STRING': query ??= value; break;
      case 'REQUEST_URI': requestUri ??= value; break;
      case 'CONTENT_LENGTH': lengthVar ??= value; break;
      case 'CONTENT_TYPE': contentType ??= value; break;
      case 'SERVER_NAME': serverName ??= value; break;
      case 'SERVER_PORT': serverPort ??= value; break;
      case 'HTTP_HOST': hasHost = true; httpVars++; break;
      default: if (key.startsWith('HTTP_')) httpVars++;
    }
  }
  if (method === undefined || method === '') return { ok: false, message: 'the uwsgi request has no REQUEST_METHOD' };
  if (!TOKEN.test(method)) return { ok: false, message: `malformed REQUEST_METHOD ${JSON.stringify(method)}` };

  const target = requestTarget(pathInfo, query, requestUri);
  if (typeof target !== 'string') return target;

  const lengthText = (lengthVar ?? '').trim();
  if (lengthText !== '' && !/^\d{1,15}$/.test(lengthText)) return { ok: false, message: `malformed CONTENT_LENGTH ${JSON.stringify(lengthText)}` };
  const contentLength = lengthText === '' ? 0 : Number(lengthText);

  const headers: Array<readonly [string, string]> = [];
  if (contentType) headers.push(['content-type', contentType]);
  if (contentLength > 0 || lengthText !== '') headers.push(['content-length', String(contentLength)]);
  // CGI's SERVER_NAME stands in for a missing Host (the HTTP layer needs one to build the URL).
  if (!hasHost) {
    const name = serverName || 'localhost';
    headers.push(['host', serverPort && /^\d+$/.test(serverPort) ? `${name}:${serverPort}` : name]);
  }
  if (httpVars > 0) {
    for (let i = 0; i < vars.length; i++) {
      const [key, value] = vars[i]!;
      if (!key.startsWith('HTTP_') || dropped.has(key)) continue;
      const name = headerName(key);
      if (!TOKEN.test(name)) return { ok: false, message: `malformed header var ${JSON.stringify(key)}` };
      headers.push([name, value]);
    }
  }
  for (const [name, value] of headers) {
    if (CONTROL.test(value)) return { ok: false, message: `control character in uwsgi var (${JSON.stringify(`${name}: ${value}`.slice(0, 60))})` };
  }
  return { ok: true, request: { method, target, headers, contentLength } };
}

/** The HTTP/1.0 head (`Connection: close`) of a request, bytes as latin1: what the HTTP server parses. */
export function httpHead(request: UwsgiHttpRequest): Buffer {
  let head = `${request.method} ${request.target} HTTP/1.0\r\n`;
  for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
  return Buffer.from(`${head}connection: close\r\n\r\n`, 'latin1');
}

/** Bytes of {@link httpHead}'s answer, without building it. */
export function httpHeadLength(request: UwsgiHttpRequest): number {
  let n = request.method.length + request.target.length + 12 + 21;
  for (const [name, value] of request.headers) n += name.length + value.length + 4;
  return n;
}

/**
 * The HTTP/1.0 head for a uwsgi request ({@link uwsgiHttpRequest} written by {@link httpHead}),
 * so one HTTP parser and one request listener serve both protocols with the same routes,
 * errors and limits.
 *
 * @example
 * uwsgiRequestHead([['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/healthz'], ['QUERY_STRING', '']])
 * // { ok: true, head: <Buffer "GET /healthz HTTP/1.0\r\nhost: localhost\r\nconnection: close\r\n\r\n">, contentLength: 0 }
 */
export function uwsgiRequestHead(vars: ReadonlyArray<readonly [string, string]>): UwsgiRequestHead {
  const parsed = uwsgiHttpRequest(vars);
  if (!parsed.ok) return parsed;
  return { ok: true, head: httpHead(parsed.request), contentLength: parsed.request.contentLength };
}

// HTTP_X_REQUEST_ID -> x-request-id, cached: nginx sends the same few names on every request.
const names = new Map<string, string>();
function headerName(key: string): string {
  let name = names.get(key);
  if (name === undefined) {
    name = key.slice(5).toLowerCase().replace(/_/g, '-');
    if (names.size < 1024) names.set(key, name);
  }
  return name;
}

function requestTarget(pathInfo: string | undefined, query: string | undefined, requestUri: string | undefined): string | { ok: false; message: string } {
  if (pathInfo === undefined || pathInfo === '') {
    if (requestUri === undefined || requestUri === '') return `/${query ? `?${query.replace(QUERY_UNSAFE, escapeByte)}` : ''}`;
    if (!requestUri.startsWith('/')) return { ok: false, message: `malformed REQUEST_URI ${JSON.stringify(requestUri.slice(0, 60))}` };
    return requestUri.replace(QUERY_UNSAFE, escapeByte);
  }
  if (!pathInfo.startsWith('/')) return { ok: false, message: `malformed PATH_INFO ${JSON.stringify(pathInfo.slice(0, 60))}: it must start with /` };
  const path = pathInfo.replace(PATH_SAFE, escapeByte);
  return query ? `${path}?${query.replace(QUERY_UNSAFE, escapeByte)}` : path;
}
