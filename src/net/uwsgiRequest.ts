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

/**
 * The HTTP/1.0 head (`Connection: close`) for a uwsgi request: the method from REQUEST_METHOD,
 * the target from PATH_INFO (percent-encoded again: nginx sends it decoded) and QUERY_STRING
 * (falling back to REQUEST_URI without PATH_INFO), Content-Type and Content-Length from
 * CONTENT_TYPE and CONTENT_LENGTH, each `HTTP_X_Y` var as header `x-y`, and a Host from
 * SERVER_NAME / SERVER_PORT when HTTP_HOST is missing.
 * Values are latin1 strings of the packet's bytes, so the head carries the same bytes.
 *
 * @example
 * uwsgiRequestHead([['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/healthz'], ['QUERY_STRING', '']])
 * // { ok: true, head: <Buffer "GET /healthz HTTP/1.0\r\nhost: localhost\r\nconnection: close\r\n\r\n">, contentLength: 0 }
 */
export function uwsgiRequestHead(vars: ReadonlyArray<readonly [string, string]>): UwsgiRequestHead {
  const first = new Map<string, string>();
  for (const [key, value] of vars) if (!first.has(key)) first.set(key, value);
  const method = first.get('REQUEST_METHOD');
  if (method === undefined || method === '') return { ok: false, message: 'the uwsgi request has no REQUEST_METHOD' };
  if (!TOKEN.test(method)) return { ok: false, message: `malformed REQUEST_METHOD ${JSON.stringify(method)}` };

  const target = requestTarget(first.get('PATH_INFO'), first.get('QUERY_STRING'), first.get('REQUEST_URI'));
  if (typeof target !== 'string') return target;

  const lengthText = (first.get('CONTENT_LENGTH') ?? '').trim();
  if (lengthText !== '' && !/^\d{1,15}$/.test(lengthText)) return { ok: false, message: `malformed CONTENT_LENGTH ${JSON.stringify(lengthText)}` };
  const contentLength = lengthText === '' ? 0 : Number(lengthText);

  const lines = [`${method} ${target} HTTP/1.0`];
  const contentType = first.get('CONTENT_TYPE');
  if (contentType) lines.push(`content-type: ${contentType}`);
  if (contentLength > 0 || lengthText !== '') lines.push(`content-length: ${contentLength}`);
  // CGI's SERVER_NAME stands in for a missing Host (the HTTP layer needs one to build the URL).
  if (!first.has('HTTP_HOST')) {
    const name = first.get('SERVER_NAME') || 'localhost';
    const port = first.get('SERVER_PORT');
    lines.push(`host: ${port && /^\d+$/.test(port) ? `${name}:${port}` : name}`);
  }
  for (const [key, value] of vars) {
    if (!key.startsWith('HTTP_') || dropped.has(key)) continue;
    const name = key.slice(5).toLowerCase().replace(/_/g, '-');
    if (!TOKEN.test(name)) return { ok: false, message: `malformed header var ${JSON.stringify(key)}` };
    lines.push(`${name}: ${value}`);
  }
  for (const line of lines) {
    if (CONTROL.test(line)) return { ok: false, message: `control character in uwsgi var (${JSON.stringify(line.slice(0, 60))})` };
  }
  lines.push('connection: close', '', '');
  return { ok: true, head: Buffer.from(lines.join('\r\n'), 'latin1'), contentLength };
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
