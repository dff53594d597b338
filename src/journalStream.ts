import { fstatSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/**
 * True when file descriptor `fd` is the journal's stream: systemd sets `JOURNAL_STREAM=dev:inode`
 * for a service whose stdout or stderr is connected to journald (systemd.exec(5)), and a process
 * must compare it with its own descriptor, since the variable is inherited by children whose
 * output may go elsewhere (a shell redirect, a pipe to jq).
 */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false; // a closed descriptor is not the journal
  }
}

/**
 * The syslog priority of a pino level: fatal 2 (crit), error 3 (err), warn 4 (warning),
 * info 6 (info), debug and trace 7 (debug). Levels between two named ones take the lower's.
 */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/** Where a {@link journalStream} writes: pino's own destination (sonic-boom) or any stream. */
export interface LineSink {
  write(line: string): unknown;
  flush?(cb?: (err?: Error) => void): void;
  flushSync?(): void;
}

/**
 * A pino destination that prefixes each line with `<N>`, its syslog priority, which journald
 * strips and records as PRIORITY= (SyslogLevelPrefix=yes, the default): `journalctl -p warning`
 * then shows warnings and errors, and `journalctl -o cat` still prints the bare JSON line.
 * pino tells the stream each line's level through `lastLevel` when the stream asks for metadata.
 */
export function journalStream(sink: LineSink): DestinationStream {
  return {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 30,
    write(this: { lastLevel: number }, line: string): void {
      sink.write(`<${syslogPriority(this.lastLevel)}>${line}`);
    },
    flush(cb?: (err?: Error) => void): void {
      if (sink.flush) sink.flush(cb);
      else cb?.();
    },
    flushSync(): void {
      sink.flushSync?.();
    },
  } as DestinationStream;
}
