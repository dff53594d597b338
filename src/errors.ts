/**
 * Every error code of mlserve, one row each (fastify's `lib/errors.js`): the HTTP status it
 * answers with, the headers that go with it, and what it means (docs/errors.md is checked
 * against this table by test/errors.test.ts). Throw sites name the code and say what went
 * wrong; the status and the headers come from here. Add rows, never rename a code: clients and
 * tests match on them.
 */
export const ERRORS = {
  // configuration and command line (mlserve exits before anything starts)
  ERR_CONFIG_FILE: { status: 500, doc: 'The config file cannot be read.' },
  ERR_CONFIG_SYNTAX: { status: 500, doc: 'A line of the config file is not `key = value` or a `[section]`.' },
  ERR_CONFIG_KEY: { status: 500, doc: 'An unknown option (with a "did you mean" suggestion).' },
  ERR_CONFIG_VALUE: { status: 500, doc: 'An option has a value of the wrong type or out of range.' },
  ERR_CLI_ARGS: { status: 500, doc: 'The command line cannot be parsed.' },
  // model loading and validation
  ERR_MODEL_NOT_FOUND: { status: 500, doc: 'The model directory or one of its files is missing.' },
  ERR_MODEL_INVALID: { status: 500, doc: 'A model file does not parse or does not match the others (names the file, layer or weight).' },
  ERR_MODEL_UNSUPPORTED: { status: 500, doc: 'A readable Keras file mlserve refuses to serve (SavedModel, Keras 1, custom class or Lambda, float16/quantized or sharded weights); the message says what to do instead.' },
  ERR_BACKEND: { status: 500, doc: 'The tfjs backend asked for cannot be loaded.' },
  // training (npm run train)
  ERR_TRAINING: { status: 500, doc: 'The dataset rebuild or the accuracy gate of `npm run train` failed.' },
  // sockets
  ERR_SOCKET_IN_USE: { status: 500, doc: 'Another instance accepts connections on the socket file.' },
  ERR_SOCKET: { status: 500, doc: 'A socket cannot be listened on (or its path is not a socket).' },
  // uWSGI process options (docs/migrating-from-uwsgi.md)
  ERR_PRIVILEGES: { status: 500, doc: '`uid`, `gid` or `chown-socket` cannot be applied (not root, unknown user or group); mlserve never runs on as root instead.' },
  ERR_MASTER_FIFO: { status: 500, doc: 'The `master-fifo` cannot be created (its path exists and is not a FIFO, or its directory is not writable).' },
  // the uwsgi protocol (nginx's uwsgi_pass), answered on the socket before any route
  ERR_UWSGI_PACKET: { status: 400, headers: { connection: 'close' }, doc: 'A uwsgi packet is malformed: a var length past the block, a null key, a modifier1 other than 0, no REQUEST_METHOD, a control character in a var.' },
  ERR_UWSGI_VARS_TOO_LARGE: { status: 431, headers: { connection: 'close' }, doc: "A uwsgi vars block (all request headers together) is larger than `buffer-size` (uWSGI's \"invalid request block size\")." },
  ERR_REQUEST_TIMEOUT: { status: 408, headers: { connection: 'close' }, doc: 'A uwsgi request (vars and CONTENT_LENGTH bytes of body) did not arrive whole within `socket-timeout`.' },
  // HTTP requests
  ERR_TEXT_MISSING: { status: 400, doc: '`text` (query or body) or `texts` is missing or empty.' },
  ERR_TEXT_TOO_LONG: { status: 413, doc: 'A text is longer than `max-text-length`.' },
  ERR_BODY_TOO_LARGE: { status: 413, headers: { connection: 'close' }, doc: 'The body is larger than `max-body-size`; the rest of it is not read, so the connection closes.' },
  ERR_BODY_MALFORMED: { status: 400, doc: 'The body is not JSON, or not `{"text": ...}` / `{"texts": [...]}` of strings.' },
  ERR_TEXT_UNSUPPORTED: { status: 400, doc: 'The model has no preprocessing (a numeric-tensor model): it is served on the tensor API only, not on GET/POST /predict.' },
  ERR_TENSOR_SHAPE: { status: 400, doc: 'A tensor input does not have the model\'s row width (rows x input size values).' },
  ERR_BATCH_TOO_LARGE: { status: 413, doc: '`texts` has more entries than `max-batch`.' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, doc: 'POST /predict without `content-type: application/json`.' },
  ERR_URI_TOO_LONG: { status: 414, headers: { connection: 'close' }, doc: 'The request line is longer than the server reads (`max-header-size`).' },
  ERR_HEADERS_TOO_LARGE: { status: 431, headers: { connection: 'close' }, doc: 'The request headers (with the URL) are larger than `max-header-size`.' },
  ERR_BAD_REQUEST: { status: 400, headers: { connection: 'close' }, doc: 'The request is not valid HTTP/1.1.' },
  ERR_NOT_FOUND: { status: 404, doc: 'No route for this path.' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, doc: 'The path exists but not with this method; `Allow` lists the methods.' },
  ERR_NOT_READY: { status: 503, headers: { 'retry-after': '1' }, doc: 'No worker can take the request: every slot is cheap or failed (see /readyz).' },
  ERR_QUEUE_FULL: { status: 503, headers: { 'retry-after': '1' }, doc: '`listen` requests (or `max-enqueued-batches` rows) already wait for a worker.' },
  ERR_SHUTTING_DOWN: { status: 503, headers: { 'retry-after': '1' }, doc: 'The server is shutting down and takes no new request.' },
  ERR_WORKER_CRASHED: { status: 502, doc: 'The worker thread died while predicting this request; it is respawned.' },
  ERR_HARAKIRI: { status: 504, doc: 'The request ran longer than `harakiri` (its worker was killed and respawned), or it was in a batch whose worker died and could not run again within `harakiri` + 1 s.' },
  ERR_PARAMETER_INVALID: { status: 400, doc: 'A request parameter (`top_k`, `probabilities`) has a value of the wrong type or range.' },
  ERR_MODEL_UNKNOWN: { status: 404, doc: 'TF Serving / KServe V2 path names another model or a version that is not served.' },
  ERR_NOT_ACCEPTABLE: { status: 406, doc: '/invocations was asked (`Accept`) for a type it cannot answer (it answers application/json and text/csv).' },
  ERR_DEADLINE_EXCEEDED: { status: 504, doc: 'The request deadline (`X-Mlserve-Timeout-Ms`, KServe `parameters.timeout`) passed while it waited in the queue; it never ran.' },
  ERR_PREDICT: { status: 500, doc: 'The model failed on this batch; the worker keeps serving.' },
  ERR_INTERNAL: { status: 500, doc: 'Anything unexpected; the log line has the stack.' },
} as const satisfies Record<string, ErrorRow>;

/** One row of {@link ERRORS}. */
export interface ErrorRow {
  /** HTTP status when the error ends a request. */
  status: number;
  /** Headers every answer with this code carries (lower case). */
  headers?: Readonly<Record<string, string>>;
  /** What the code means, as docs/errors.md says it. */
  doc: string;
}

/** Stable error codes: the keys of {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;

/** Options of {@link MlserveError}. */
export interface MlserveErrorOptions {
  cause?: unknown;
  /** Headers of this one answer on top of the table's (`Allow` of a 405). */
  headers?: Readonly<Record<string, string>>;
  /**
   * Overrides the table's status. Kept so older throw sites still compile; new code names the
   * code only.
   * @deprecated the status comes from {@link ERRORS}
   */
  status?: number;
}

/**
 * The one error type of mlserve. Every failure that reaches a user (an HTTP client, the
 * operator reading a config error, a test) carries a stable `code`, so scripts match on codes
 * and never on messages; its HTTP status and headers come from {@link ERRORS}.
 *
 * @example
 * throw new MlserveError('ERR_TEXT_MISSING', 'query parameter "text" is required');
 */
export class MlserveError extends Error {
  readonly code: ErrorCode;
  /** HTTP status to answer with when this error ends a request (from {@link ERRORS}). */
  readonly status: number;
  /** Headers to answer with: the table's, then this error's own. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: MlserveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlserveError';
    this.code = code;
    const row: ErrorRow = ERRORS[code] ?? ERRORS.ERR_INTERNAL;
    this.status = options.status ?? row.status;
    this.headers = options.headers ? { ...row.headers, ...options.headers } : (row.headers ?? {});
  }

  /** The JSON body every HTTP error answers with. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** The JSON text of an error body, for the places that write raw HTTP (a 431 on the socket). */
export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
