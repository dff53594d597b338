/**
 * The uwsgi wire protocol, parsed without effects: a 4-byte header (modifier1, datasize as a
 * little-endian uint16, modifier2), then `datasize` bytes of vars, each a little-endian uint16
 * key length, the key, a uint16 value length and the value; then the request body.
 * See uWSGI's proto/uwsgi.c (the header, the buffer-size check) and core/protocol.c
 * (uwsgi_parse_vars, the var loop this one follows).
 */

/** Bytes of the uwsgi packet header. */
export const UWSGI_HEADER_SIZE = 4;

/** uWSGI's default `buffer-size`: the largest vars block it accepts. */
export const UWSGI_DEFAULT_BUFFER_SIZE = 4096;

/** A complete uwsgi vars block. */
export interface UwsgiPacket {
  readonly modifier1: number;
  readonly modifier2: number;
  /** Keys and values as bytes read as latin1, so they round-trip to the same bytes; in order, repeats kept. */
  readonly vars: ReadonlyArray<readonly [string, string]>;
  /** Offset of the body's first byte in the buffer given (header + datasize). */
  readonly bodyStart: number;
}

/** What {@link parseUwsgiPacket} makes of the bytes received so far. */
export type UwsgiParse =
  | { readonly state: 'incomplete' }
  | { readonly state: 'too-large'; readonly datasize: number; readonly message: string }
  | { readonly state: 'malformed'; readonly message: string }
  | { readonly state: 'complete'; readonly packet: UwsgiPacket };

/**
 * Parses the start of a uwsgi connection. `incomplete` until the header and the whole vars block
 * have arrived; `too-large` as soon as the header announces a vars block over `bufferSize` (uWSGI:
 * "invalid request block size: N (max M)...skip"), so a client cannot make us buffer more.
 *
 * @example
 * parseUwsgiPacket(encodeUwsgiPacket([['REQUEST_METHOD', 'GET']]), 4096)
 * // { state: 'complete', packet: { modifier1: 0, modifier2: 0, vars: [['REQUEST_METHOD', 'GET']], bodyStart: 22 } }
 */
export function parseUwsgiPacket(buf: Buffer, bufferSize: number): UwsgiParse {
  if (buf.length < UWSGI_HEADER_SIZE) return { state: 'incomplete' };
  const modifier1 = buf[0]!;
  const datasize = buf.readUInt16LE(1);
  const modifier2 = buf[3]!;
  if (datasize > bufferSize) {
    return { state: 'too-large', datasize, message: `invalid request block size: ${datasize} (max ${bufferSize}); raise buffer-size` };
  }
  const end = UWSGI_HEADER_SIZE + datasize;
  if (buf.length < end) return { state: 'incomplete' };
  // modifier1 0 is a WSGI/HTTP request; the others select other uWSGI plugins (PSGI, Rack, ...).
  if (modifier1 !== 0) return { state: 'malformed', message: `uwsgi modifier1 ${modifier1} is not supported (only 0, an HTTP request)` };
  const vars: Array<[string, string]> = [];
  let pos = UWSGI_HEADER_SIZE;
  while (pos < end) {
    if (pos + 2 > end) return { state: 'malformed', message: `uwsgi var at byte ${pos - UWSGI_HEADER_SIZE}: key length past the vars block` };
    const keyLength = buf.readUInt16LE(pos);
    pos += 2;
    if (keyLength === 0) return { state: 'malformed', message: 'uwsgi key cannot be null' };
    if (pos + keyLength + 2 > end) return { state: 'malformed', message: `uwsgi key of ${keyLength} bytes runs past the vars block` };
    const key = buf.toString('latin1', pos, pos + keyLength);
    pos += keyLength;
    const valueLength = buf.readUInt16LE(pos);
    pos += 2;
    // A value may be empty, even at the very end (uWSGI: "value can be null (even at the end) so use <=").
    if (pos + valueLength > end) {
      return { state: 'malformed', message: `uwsgi value of ${key} (${valueLength} bytes) runs past the vars block` };
    }
    vars.push([key, buf.toString('latin1', pos, pos + valueLength)]);
    pos += valueLength;
  }
  return { state: 'complete', packet: { modifier1, modifier2, vars, bodyStart: end } };
}

/**
 * Encodes vars as a uwsgi packet (what nginx's uwsgi_pass sends), for tests and tools.
 *
 * @example encodeUwsgiPacket([['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/healthz']])
 */
export function encodeUwsgiPacket(vars: ReadonlyArray<readonly [string, string]>, options: { modifier1?: number; modifier2?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of vars) {
    for (const text of [key, value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(2);
      length.writeUInt16LE(bytes.length);
      parts.push(length, bytes);
    }
  }
  const block = Buffer.concat(parts);
  const header = Buffer.alloc(UWSGI_HEADER_SIZE);
  header[0] = options.modifier1 ?? 0;
  header.writeUInt16LE(block.length, 1);
  header[3] = options.modifier2 ?? 0;
  return Buffer.concat([header, block]);
}
