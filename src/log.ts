import { pino, type Logger, type DestinationStream } from 'pino';
import { isJournalStream, journalStream } from './journalStream.js';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  level?: string;
  /** Human-readable lines on stderr instead of JSON (development). */
  pretty?: boolean;
  /**
   * Where JSON lines go; stdout when not set. When stdout is the journal (JOURNAL_STREAM), each
   * line is prefixed with its syslog priority, `<3>{"level":"error",...}`, which journald strips.
   */
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
  if (options.destination) return pino(opts, options.destination);
  if (options.pretty) return pino(opts, prettyStream());
  if (isJournalStream(1)) return pino(opts, journalStream(pino.destination(1)));
  return pino(opts);
}

/** A dependency-free pretty printer: `12:00:01 INFO  ready key=value ...`. */
function prettyStream(): DestinationStream {
  return {
    write(line: string): void {
      try {
        const { time, level, msg, pid: _pid, name: _name, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(' ');
        process.stderr.write(`${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extras ? ' ' + extras : ''}\n`);
      } catch {
        process.stderr.write(line);
      }
    },
  };
}
