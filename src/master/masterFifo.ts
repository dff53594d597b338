import { execFileSync } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';

/** What a master FIFO command asks for. */
export type FifoAction = 'reload' | 'stop' | 'worker+' | 'worker-' | 'stats';

/**
 * uWSGI's master FIFO commands that mlserve implements (core/fifo.c's table): `r` graceful
 * reload and `c` chain reload (both a chain reload here), `q` graceful stop, `+` / `-` one
 * worker more / fewer (uwsgi_cheaper_increase / _decrease), `s` stats to the log.
 */
export const fifoCommands: Readonly<Record<string, FifoAction>> = Object.freeze({
  r: 'reload',
  c: 'reload',
  q: 'stop',
  '+': 'worker+',
  '-': 'worker-',
  s: 'stats',
});

/** The action of one command byte, or null (uWSGI ignores bytes without a handler; so do we, with a log line). */
export function fifoAction(byte: number): FifoAction | null {
  return fifoCommands[String.fromCharCode(byte)] ?? null;
}

/**
 * The master FIFO (`master-fifo`): a named pipe created afresh at start (uWSGI unlinks and
 * mkfifo's it too) with mode 0600, read byte by byte; each byte is one command. Opened
 * read-write, so a writer closing never ends the stream (uWSGI re-creates it on EOF instead).
 */
export class MasterFifo {
  readonly #path: string;
  readonly #socket: Socket;

  private constructor(path: string, socket: Socket) {
    this.#path = path;
    this.#socket = socket;
  }

  /** Creates the FIFO at `path` (replacing a FIFO left there) and calls `onAction` per command. */
  static async open(path: string, onAction: (action: FifoAction) => void, log: Logger): Promise<MasterFifo> {
    const st = await lstat(path).catch(() => null);
    if (st && !st.isFIFO()) throw new MlserveError('ERR_MASTER_FIFO', `master-fifo = ${path}: exists and is not a FIFO; refusing to replace it`);
    if (st) await unlink(path);
    let fd: number;
    try {
      // Node has no mkfifo(); coreutils' mkfifo is on every system mlserve runs on.
      execFileSync('mkfifo', ['-m', '600', path], { stdio: 'pipe' });
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (err) {
      throw new MlserveError('ERR_MASTER_FIFO', `master-fifo = ${path}: cannot create it: ${(err as Error).message.trim()}`, { cause: err });
    }
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.on('data', function onFifo(chunk: Buffer) {
      for (const byte of chunk) {
        if (byte === 0x0a || byte === 0x0d) continue; // `echo r > fifo` adds a newline
        const action = fifoAction(byte);
        if (action === null) log.warn({ command: String.fromCharCode(byte), known: Object.keys(fifoCommands).join('') }, 'master FIFO: unknown command, ignored');
        else {
          log.info({ command: String.fromCharCode(byte), action }, 'master FIFO command');
          onAction(action);
        }
      }
    });
    socket.on('error', (err) => log.error({ err }, 'master FIFO read failed'));
    log.info({ masterFifo: path }, 'master FIFO ready');
    return new MasterFifo(path, socket);
  }

  /** Stops reading and removes the FIFO. */
  async close(): Promise<void> {
    this.#socket.destroy();
    await unlink(this.#path).catch(() => undefined);
  }
}
