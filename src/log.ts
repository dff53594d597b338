import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  level?: string;
  /** Where JSON lines go; stdout when not set (journald reads it). */
  destination?: DestinationStream;
}

/**
 * Creates mlserve's structured logger: one JSON object per line with `msg`, durations in ms.
 * Child loggers add `worker`, `reqId` and the like.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { pid: process.pid, name: 'mlserve' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
