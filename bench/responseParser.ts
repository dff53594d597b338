const MAX_HEAD_BYTES = 64 * 1024;

type Phase = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailer';

/** One complete response. */
export interface ParsedResponse {
  status: number;
  /** The server will close the connection after it (`Connection: close`, or HTTP/1.0 without keep-alive). */
  close: boolean;
}

/**
 * Incremental parser of HTTP/1.1 responses on one kept-alive connection: feed it the bytes as
 * they arrive, it returns the status of each response that completed. Bodies are skipped, not
 * kept: the ramp client only needs status and timing, and copying bodies would cost the load
 * generator CPU the servers under test need. Knows Content-Length, chunked transfer coding and
 * the statuses that have no body, and tells when the server closes the connection after a
 * response (nginx does after `keepalive_requests`, 1000 by default); a response delimited by closing the connection is an error
 * (nginx never sends one to an HTTP/1.1 client that did not ask for it).
 *
 * @example
 * const parser = new ResponseParser();
 * parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')) // [{ status: 200, close: false }]
 */
export class ResponseParser {
  #buf: Buffer = Buffer.alloc(0);
  #phase: Phase = 'head';
  #status = 0;
  #close = false;
  /** Bytes of body (or of chunk data plus its CRLF) still to skip. */
  #remaining = 0;

  /** Consumes `chunk`; returns the responses it completed, in order. */
  feed(chunk: Buffer): ParsedResponse[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const done: ParsedResponse[] = [];
    while (this.#step(done));
    return done;
  }

  /** True when no response is partly read: the connection may be reused or closed safely. */
  get idle(): boolean {
    return this.#phase === 'head' && this.#buf.length === 0;
  }

  // One state transition; false when more bytes are needed.
  #step(done: ParsedResponse[]): boolean {
    switch (this.#phase) {
      case 'head':
        return this.#head(done);
      case 'body':
      case 'chunk-data':
        return this.#skip(done);
      case 'chunk-size':
        return this.#chunkSize();
      case 'trailer':
        return this.#trailer(done);
    }
  }

  #head(done: ParsedResponse[]): boolean {
    const end = this.#buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.#buf.length > MAX_HEAD_BYTES) throw new Error(`response head longer than ${MAX_HEAD_BYTES} bytes`);
      return false;
    }
    const lines = this.#buf.toString('latin1', 0, end).split('\r\n');
    this.#buf = this.#buf.subarray(end + 4);
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
    this.#status = Number(status[2]);
    let connection = status[1] === '0' ? 'close' : 'keep-alive';
    let length: number | undefined;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'connection') connection = value.toLowerCase();
    }
    this.#close = /\bclose\b/.test(connection) || (status[1] === '0' && !/\bkeep-alive\b/.test(connection));
    if (this.#status < 200 || this.#status === 204 || this.#status === 304) {
      // 1xx are interim: the final response follows; 204 and 304 never have a body.
      if (this.#status >= 200) done.push({ status: this.#status, close: this.#close });
      return true;
    }
    if (chunked) {
      this.#phase = 'chunk-size';
    } else if (length !== undefined && Number.isInteger(length) && length >= 0) {
      this.#phase = 'body';
      this.#remaining = length;
    } else {
      throw new Error(`response ${this.#status} has neither Content-Length nor chunked encoding`);
    }
    return true;
  }

  #skip(done: ParsedResponse[]): boolean {
    if (this.#buf.length < this.#remaining) {
      this.#remaining -= this.#buf.length;
      this.#buf = Buffer.alloc(0);
      return false;
    }
    this.#buf = this.#buf.subarray(this.#remaining);
    this.#remaining = 0;
    if (this.#phase === 'chunk-data') {
      this.#phase = 'chunk-size';
    } else {
      this.#phase = 'head';
      done.push({ status: this.#status, close: this.#close });
    }
    return true;
  }

  #chunkSize(): boolean {
    const eol = this.#buf.indexOf('\r\n');
    if (eol < 0) return false;
    const size = Number.parseInt(this.#buf.toString('latin1', 0, eol).split(';')[0]!.trim(), 16);
    if (!Number.isInteger(size) || size < 0) throw new Error(`bad chunk size line: ${JSON.stringify(this.#buf.toString('latin1', 0, eol))}`);
    this.#buf = this.#buf.subarray(eol + 2);
    if (size === 0) {
      this.#phase = 'trailer';
    } else {
      this.#phase = 'chunk-data';
      this.#remaining = size + 2; // the data, then its CRLF
    }
    return true;
  }

  // After the last chunk: trailer fields, if any, then an empty line.
  #trailer(done: ParsedResponse[]): boolean {
    const eol = this.#buf.indexOf('\r\n');
    if (eol < 0) return false;
    this.#buf = this.#buf.subarray(eol + 2);
    if (eol === 0) {
      this.#phase = 'head';
      done.push({ status: this.#status, close: this.#close });
    }
    return true;
  }
}
