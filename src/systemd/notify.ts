import { performance } from 'node:perf_hooks';
import sdNotify from 'systemd-notify';
import type { Logger } from '../log.js';
import { systemdNotify } from './systemdNotify.js';

/** Options of {@link Notifier}. */
export interface NotifierOptions {
  log: Logger;
  /** Longest wait for one systemd-notify run before the next message goes (it gives up after 5 s itself). */
  timeoutMs?: number;
}

type Kind = 'READY' | 'STATUS' | 'RELOADING' | 'STOPPING' | 'WATCHDOG';

interface Message {
  kind: Kind;
  /** STATUS text (for READY, an optional one sent with it). */
  status: string | undefined;
  /** Extra assignments fixed when the message was asked for (MONOTONIC_USEC of a reload). */
  extra: string[];
  done: Promise<void>;
  settle: () => void;
}

const DONE = Promise.resolve();

/**
 * mlserve's side of `sd_notify(3)` for a Type=notify unit: READY=1, STATUS=, RELOADING=1,
 * STOPPING=1, WATCHDOG=1, sent through the `systemd-notify` binary (READY and STATUS with the
 * npm package `systemd-notify`, the rest with {@link systemdNotify}; hence NotifyAccess=all).
 *
 * Without NOTIFY_SOCKET in process.env when constructed (not under systemd) every call returns a
 * resolved promise and spawns nothing. Messages go one at a time, in order: while one is being
 * sent, a newer STATUS replaces a STATUS still waiting, and WATCHDOG=1 is not queued twice; a
 * STATUS equal to the last one sent is not sent again. A failure is logged (warn once per distinct error, then debug) and never
 * thrown: every returned promise resolves, so callers may `void` it.
 *
 * @example
 * const notifier = new Notifier({ log });
 * void notifier.status('loading model reuters');
 * await notifier.ready(statusLine(snapshot)); // once the workers answer
 */
export class Notifier {
  /** False without NOTIFY_SOCKET: then nothing is ever sent. */
  readonly enabled: boolean;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #queue: Message[] = [];
  #sending = false;
  #lastStatus: string | undefined;
  #lastError: string | null = null;

  constructor(options: NotifierOptions) {
    // process.env, not an option: the package's systemd-notify child inherits process.env, so
    // that is where NOTIFY_SOCKET must be for READY and STATUS to go anywhere.
    this.enabled = Boolean(process.env['NOTIFY_SOCKET']);
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** STATUS=text: what `systemctl status` shows ("loading model reuters v1", the status line). */
  status(text: string): Promise<void> {
    if (!this.enabled) return DONE;
    const status = oneLine(text);
    const last = this.#queue.at(-1);
    if (last?.kind === 'STATUS') {
      last.status = status;
      return last.done;
    }
    if (this.#queue.length === 0 && status === this.#lastStatus) return DONE;
    return this.#enqueue('STATUS', status);
  }

  /** READY=1 (and STATUS= when given): start-up or a reload finished; systemctl start returns. */
  ready(status?: string): Promise<void> {
    return this.enabled ? this.#enqueue('READY', status === undefined ? undefined : oneLine(status)) : DONE;
  }

  /**
   * RELOADING=1 with MONOTONIC_USEC= (the time of the call, CLOCK_MONOTONIC, as Type=notify-reload
   * wants it): a reload started; send {@link ready} when it is done.
   */
  reloading(): Promise<void> {
    if (!this.enabled) return DONE;
    // process.hrtime is libuv's uv_hrtime: CLOCK_MONOTONIC on Linux, the clock systemd compares with.
    return this.#enqueue('RELOADING', undefined, [`MONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`]);
  }

  /** STOPPING=1: shutdown started (SIGTERM); systemd shows "deactivating". */
  stopping(): Promise<void> {
    return this.enabled ? this.#enqueue('STOPPING') : DONE;
  }

  /** WATCHDOG=1: the master is alive; send every {@link watchdogIntervalMs} while healthy. */
  watchdog(): Promise<void> {
    if (!this.enabled) return DONE;
    const waiting = this.#queue.find((m) => m.kind === 'WATCHDOG');
    return waiting ? waiting.done : this.#enqueue('WATCHDOG');
  }

  #enqueue(kind: Kind, status?: string, extra: string[] = []): Promise<void> {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.#queue.push({ kind, status, extra, done, settle });
    if (!this.#sending) void this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    this.#sending = true;
    for (let message = this.#queue.shift(); message; message = this.#queue.shift()) {
      if (message.status !== undefined) this.#lastStatus = message.status;
      await this.#send(message);
      message.settle();
    }
    this.#sending = false;
  }

  async #send(message: Message): Promise<void> {
    const what = describe(message);
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([run(message), timeout]);
      const ms = Math.round(performance.now() - t0);
      if (this.#lastError !== null) this.#log.info({ notify: what, ms }, 'systemd notifications work again');
      else this.#log.debug({ notify: what, ms }, 'systemd notified');
      this.#lastError = null;
    } catch (err) {
      if (message.status !== undefined) this.#lastStatus = undefined; // so the next status retries it
      const text = errorText(err);
      const fields = { notify: what, err: text, ms: Math.round(performance.now() - t0) };
      // A broken NOTIFY_SOCKET fails every few seconds: say it once, not on every status line.
      if (text !== this.#lastError) this.#log.warn(fields, 'systemd notification failed');
      else this.#log.debug(fields, 'systemd notification failed again');
      this.#lastError = text;
    } finally {
      clearTimeout(timer);
    }
  }
}

function run(message: Message): Promise<unknown> {
  switch (message.kind) {
    case 'READY':
      return sdNotify(message.status === undefined ? { ready: true } : { ready: true, status: message.status });
    case 'STATUS':
      return sdNotify({ status: message.status ?? '' });
    default:
      return systemdNotify([`${message.kind}=1`, ...message.extra]);
  }
}

function describe(message: Message): string {
  const status = message.status === undefined ? '' : ` STATUS=${message.status}`;
  return message.kind === 'STATUS' ? status.trim() : `${message.kind}=1${status}`;
}

/** The sd_notify protocol is newline-separated: a status must stay on one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The package rejects with stderr as a string; spawn failures and ours are Errors. */
function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  const text = String(err).trim();
  return text === '' ? 'systemd-notify failed without a message' : text;
}
