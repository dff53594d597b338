import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { Notifier } from './notify.js';
import { requestRate, statusLine, type StatusSnapshot } from './statusLine.js';

/** What the heartbeat reads from the master at each tick. */
export type HeartbeatSnapshot = Omit<StatusSnapshot, 'rps'> & {
  /** Requests answered since start (a counter that only grows): the rate is computed from it. */
  readonly requests: number;
};

/** Options of {@link startHeartbeat}. */
export interface HeartbeatOptions {
  notifier: Pick<Notifier, 'status' | 'watchdog'>;
  log: Logger;
  /** `watchdogIntervalMs(process.env, process.pid)`: WATCHDOG=1 this often; null for no watchdog. */
  watchdogMs: number | null;
  /** How often the STATUS= line is refreshed (sent only when its text changed). Default 5000. */
  statusMs?: number;
  /** The master's state now; `active > 0` is what "healthy" means for the watchdog. */
  snapshot: () => HeartbeatSnapshot;
  /** Milliseconds of a monotonic clock (tests pass a fake one). Default performance.now. */
  now?: () => number;
}

/** A running heartbeat; `stop()` ends both timers (call it when shutdown starts). */
export interface Heartbeat {
  stop(): void;
}

/**
 * The periodic part of the systemd integration: STATUS= with {@link statusLine} every `statusMs`,
 * and WATCHDOG=1 every `watchdogMs` only while at least one worker answers. A timer that fires
 * proves the master's event loop turns; a blocked loop or a master with no working thread stops
 * the pings, and systemd restarts the service after WatchdogSec=. Timers are unref'd.
 *
 * @example
 * const heartbeat = startHeartbeat({ notifier, log, watchdogMs: watchdogIntervalMs(process.env, process.pid), snapshot });
 * // on shutdown: heartbeat.stop(); void notifier.stopping();
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { notifier, log, watchdogMs, statusMs = 5000, snapshot, now = () => performance.now() } = options;
  let last = { requests: snapshot().requests, atMs: now() };
  let starving = false;

  const statusTimer = setInterval(function refreshStatus() {
    const s = snapshot();
    const reading = { requests: s.requests, atMs: now() };
    const rps = requestRate(last, reading);
    last = reading;
    void notifier.status(statusLine({ ...s, rps }));
  }, statusMs);
  statusTimer.unref();

  const watchdogTimer =
    watchdogMs === null
      ? undefined
      : setInterval(function feedWatchdog() {
          const { active, total } = snapshot();
          if (active > 0) {
            if (starving) log.info({ active, total }, 'a worker is ready again: feeding the systemd watchdog');
            starving = false;
            void notifier.watchdog();
          } else if (!starving) {
            starving = true;
            log.warn({ active, total, watchdogMs }, 'no worker is ready: not feeding the systemd watchdog');
          }
        }, watchdogMs);
  watchdogTimer?.unref();

  return {
    stop() {
      clearInterval(statusTimer);
      if (watchdogTimer) clearInterval(watchdogTimer);
    },
  };
}
