import { Worker } from 'node:worker_threads';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StatsInput } from './statsInput.js';
import { describeStatsAddress, type StatsAddress, type StatsServer, type StatsServerOptions } from './statsServer.js';
import type { FromStatsThread, StatsThreadData, ToStatsThread } from './statsThreadProtocol.js';

const THREAD_URL = new URL('./statsThreadMain.js', import.meta.url);

/** Options of {@link startStatsThread}: the stats server's, with the counters instead of a builder. */
export interface StatsThreadOptions extends Omit<StatsServerOptions, 'build' | 'log'> {
  /** The counters, gathered on the calling thread once per document (or per burst of clients). */
  input: () => StatsInput;
  log: Logger;
  /** The thread's entry module, statsThreadMain.js by default; tests pass a fixture that wraps it. */
  threadModule?: URL | string;
  /** First wait before restarting a thread that died, ms (1000); doubles up to 30 s. */
  restartDelayMs?: number;
}

/** A stats server on its own thread: {@link StatsServer}, plus what the thread is doing. */
export interface StatsThread extends StatsServer {
  /** The running thread's id, 0 while none runs (between a crash and its restart). */
  readonly threadId: number;
  /** Threads started after a crash. */
  readonly restarts: number;
}

// The thread only ever holds a few documents: a small heap, so a bug cannot grow it unnoticed.
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };
const START_TIMEOUT_MS = 15_000;
const MAX_RESTART_DELAY_MS = 30_000;
// A thread that lived this long resets the restart delay.
const STABLE_MS = 60_000;

/**
 * Starts the uWSGI-style stats server (startStatsServer) on a thread of its own. Accepting,
 * building the document, serializing and writing it happen there; per client the calling
 * thread (the master's, which also serves HTTP) only runs `input` and posts the result. Clients
 * that connect together share one `input` call, and none gets counters gathered before it
 * connected (freshSingleFlight). A thread that dies is logged and started again, after 1 s,
 * then 2, 4 ... up to 30 s; the socket file it leaves is replaced by the next one.
 *
 * @throws MlserveError ERR_SOCKET or ERR_SOCKET_IN_USE when the first thread cannot listen.
 * @example
 * const stats = await startStatsThread({ address: 'run/stats.sock', input: () => masterStats.input(), log });
 * await stats.close();
 */
export async function startStatsThread(options: StatsThreadOptions): Promise<StatsThread> {
  const { log } = options;
  const data: StatsThreadData = {
    address: options.address,
    http: options.http ?? false,
    minified: options.minified ?? false,
    mode: options.mode ?? 0o600,
    vacuum: options.vacuum ?? true,
    timeoutMs: options.timeoutMs ?? 5000,
  };
  const firstDelay = options.restartDelayMs ?? 1000;
  let worker: Worker | null = null;
  let closing = false;
  let restarts = 0;
  let delay = firstDelay;
  let restartTimer: NodeJS.Timeout | null = null;

  function onMessage(w: Worker, message: FromStatsThread): void {
    switch (message.type) {
      case 'input': {
        try {
          w.postMessage({ type: 'input', id: message.id, input: options.input() } satisfies ToStatsThread);
        } catch (err) {
          // input() failed, or its result cannot be cloned (DataCloneError is thrown here, not
          // later): that client is closed and the master keeps serving.
          w.postMessage({ type: 'input', id: message.id, error: (err as Error).message } satisfies ToStatsThread);
        }
        break;
      }
      case 'log':
        log[message.level](message.fields, message.msg);
        break;
      default:
        break;
    }
  }

  /** Starts a thread and resolves with its address once it listens; rejects if it cannot. */
  async function spawn(): Promise<StatsAddress> {
    const w = new Worker(options.threadModule ?? THREAD_URL, { workerData: data, resourceLimits: RESOURCE_LIMITS, name: 'mlserve-stats' });
    w.unref();
    const started = Date.now();
    const listening = new Promise<StatsAddress>((resolve, reject) => {
      const timer = setTimeout(() => {
        void w.terminate();
        reject(new MlserveError('ERR_INTERNAL', `stats thread: not listening on ${describeStatsAddress(options.address)} after ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      w.on('message', (message: FromStatsThread) => {
        if (message.type === 'listening') {
          clearTimeout(timer);
          resolve(message.address);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new MlserveError(message.code ?? 'ERR_INTERNAL', message.message));
        } else {
          onMessage(w, message);
        }
      });
      w.once('error', (err) => {
        clearTimeout(timer);
        reject(new MlserveError('ERR_INTERNAL', `stats thread failed: ${err.message}`, { cause: err }));
      });
      w.once('exit', (code) => {
        clearTimeout(timer);
        reject(new MlserveError('ERR_INTERNAL', `stats thread exited (code ${code}) before listening`));
      });
    });
    const address = await listening;
    if (closing) {
      // close() was called while this thread was starting: it must not outlive it.
      await stopThread(w);
      throw new MlserveError('ERR_INTERNAL', 'stats thread: closed while starting');
    }
    worker = w;
    w.on('error', (err) => log.error({ err, threadId: w.threadId }, 'stats thread failed'));
    w.once('exit', (code) => {
      if (worker === w) worker = null;
      if (closing) return;
      if (Date.now() - started >= STABLE_MS) delay = firstDelay;
      log.error({ code, restartInMs: delay }, 'stats thread exited; restarting it');
      scheduleRestart();
    });
    return address;
  }

  function scheduleRestart(): void {
    const wait = delay;
    delay = Math.min(MAX_RESTART_DELAY_MS, delay * 2);
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (closing) return;
      starting = spawn()
        .then(
          () => {
            restarts++;
            log.info({ threadId: worker?.threadId, restarts }, 'stats thread restarted');
          },
          (err: Error) => {
            if (closing) return;
            log.error({ err, restartInMs: delay }, 'stats thread: restart failed; trying again');
            scheduleRestart();
          },
        )
        .finally(() => {
          starting = null;
        });
    }, wait);
    restartTimer.unref();
  }

  let starting: Promise<void> | null = null;
  const address = await spawn();
  // A restarted thread listens where the first one did: on TCP port 0, the port it got.
  data.address = address;
  let closed: Promise<void> | null = null;
  return {
    address,
    get threadId() {
      return worker?.threadId ?? 0;
    },
    get restarts() {
      return restarts;
    },
    close(vacuum?: boolean) {
      closed ??= (async () => {
        closing = true;
        if (restartTimer) clearTimeout(restartTimer);
        // A thread being started stops itself once it listens (see spawn).
        await starting;
        if (worker) await stopThread(worker, vacuum);
      })();
      return closed;
    },
  };
}

/**
 * Asks a thread to close its server (removing the socket file when `vacuum`) and waits for it to
 * exit; one that does not within 5 s is terminated. Never rejects: it runs during shutdown.
 */
async function stopThread(w: Worker, vacuum?: boolean): Promise<void> {
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  const timer = setTimeout(() => void w.terminate(), 5000);
  try {
    w.postMessage((vacuum === undefined ? { type: 'close' } : { type: 'close', vacuum }) satisfies ToStatsThread);
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
