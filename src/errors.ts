/**
 * The one error type of mlserve. Every failure that reaches a user (an HTTP client, the
 * operator reading a config error, a test) carries a stable `code`, so scripts match on codes
 * and never on messages.
 *
 * @example
 * throw new MlserveError('ERR_TEXT_MISSING', 'query parameter "text" is required', { status: 400 });
 */
export class MlserveError extends Error {
  readonly code: ErrorCode;
  /** HTTP status to answer with when this error ends a request; 500 when not set. */
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlserveError';
    this.code = code;
    this.status = options.status ?? 500;
  }

  /** The JSON body every HTTP error answers with. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Stable error codes. Add here, never rename: clients and tests match on them. */
export type ErrorCode =
  // configuration (exit before anything starts)
  | 'ERR_CONFIG_FILE'
  | 'ERR_CONFIG_SYNTAX'
  | 'ERR_CONFIG_KEY'
  | 'ERR_CONFIG_VALUE'
  | 'ERR_CLI_ARGS'
  // model loading and validation
  | 'ERR_MODEL_NOT_FOUND'
  | 'ERR_MODEL_INVALID'
  // a readable Keras file mlserve refuses to serve (custom class, Keras 1, SavedModel, float16...)
  | 'ERR_MODEL_UNSUPPORTED'
  | 'ERR_BACKEND'
  // training (npm run train): dataset rebuild or accuracy gate failed
  | 'ERR_TRAINING'
  // sockets
  | 'ERR_SOCKET_IN_USE'
  | 'ERR_SOCKET'
  // HTTP requests
  | 'ERR_TEXT_MISSING'
  | 'ERR_TEXT_TOO_LONG'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_BODY_MALFORMED'
  | 'ERR_BATCH_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_NOT_READY'
  | 'ERR_QUEUE_FULL'
  | 'ERR_SHUTTING_DOWN'
  | 'ERR_WORKER_CRASHED'
  | 'ERR_HARAKIRI'
  | 'ERR_PREDICT'
  | 'ERR_INTERNAL';
