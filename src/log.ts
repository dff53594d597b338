import { pino, type Logger, type DestinationStream } from 'pino';
import { isJournalStream, journalStream } from './journalStream.js';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  level?: string;
  /** Human-readable lines instead of JSON (development); on stderr unless `destination` is set. */
  pretty?: boolean;
  /**
   * Where JSON lines go; stdout when not set (pretty lines: stderr). When stdout is the journal
   * (JOURNAL_STREAM), each line is prefixed with its syslog priority, `<3>{"level":"error",...}`,
   * which journald strips.
   */
  destination?: DestinationStream;
}

/** The destination of a logger made by {@link createLogger}: JSON or pretty, switchable on reload. */
class FormatSwitch implements DestinationStream {
  #pretty: boolean;
  readonly #json: DestinationStream;
  readonly #human: DestinationStream;

  constructor(pretty: boolean, destination: DestinationStream | undefined) {
    this.#pretty = pretty;
    // Synchronous in both cases. Regression: the journal's destination was pino.destination(1),
    // asynchronous, and a line still being written when pino flushed synchronously (on fatal, on
    // exit) landed after the lines logged behind it: the journal showed trace after fatal.
    const stdout = (): DestinationStream => pino.destination({ dest: 1, sync: true });
    this.#json = destination ?? (isJournalStream(1) ? journalStream(stdout()) : stdout());
    this.#human = prettyStream(destination ?? { write: (s: string) => void process.stderr.write(s) });
    Object.defineProperty(this, Symbol.for('pino.metadata'), { value: true });
  }

  set pretty(on: boolean) {
    this.#pretty = on;
  }

  // pino tells a metadata stream each line's level (journalStream needs it for the priority):
  // this switch asks for it and hands it on to the stream it writes to.
  lastLevel = 0;

  write(line: string): void {
    const target = this.#pretty ? this.#human : this.#json;
    (target as { lastLevel?: number }).lastLevel = this.lastLevel;
    target.write(line);
  }

  flushSync(): void {
    (this.#json as { flushSync?: () => void }).flushSync?.();
  }
}

const switches = new WeakMap<Logger, FormatSwitch>();

/**
 * Creates mlserve's structured logger: one JSON object per line with `msg`, durations in ms.
 * Child loggers add `worker`, `reqId` and the like. {@link setLogFormat} switches it between
 * JSON and pretty later (a reload of `log-format`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { pid: process.pid, name: 'mlserve' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const destination = new FormatSwitch(options.pretty ?? false, options.destination);
  const log = pino(opts, destination);
  switches.set(log, destination);
  return log;
}

/** Switches a logger of {@link createLogger} (and its children) to `json` or `pretty` lines. */
export function setLogFormat(log: Logger, format: 'json' | 'pretty'): void {
  const destination = switches.get(log);
  if (destination) destination.pretty = format === 'pretty';
}

/** A dependency-free pretty printer: `12:00:01 INFO  ready key=value ...`. */
function prettyStream(out: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      try {
        const { time, level, msg, pid: _pid, name: _name, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(' ');
        out.write(`${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extras ? ' ' + extras : ''}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}
