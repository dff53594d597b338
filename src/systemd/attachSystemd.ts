import type { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { startHeartbeat, type Heartbeat, type HeartbeatSnapshot } from './heartbeat.js';
import { Notifier } from './notify.js';
import { statusLine } from './statusLine.js';
import { watchdogIntervalMs } from './watchdog.js';

/** Options of {@link attachSystemd}. */
export interface AttachSystemdOptions {
  log: Logger;
  /** The master's state for the STATUS= line and the watchdog (`active > 0` = healthy). */
  snapshot: () => HeartbeatSnapshot;
  /** How often STATUS= is refreshed; default 5000 ms. */
  statusMs?: number;
  /** A notifier of the caller's; by default one is made (a no-op without NOTIFY_SOCKET). */
  notifier?: SystemdNotifier;
}

/** The calls attachSystemd makes: {@link Notifier}'s. */
export type SystemdNotifier = Pick<Notifier, 'status' | 'ready' | 'reloading' | 'stopping' | 'watchdog'>;

/** What {@link attachSystemd} set up. */
export interface SystemdLink {
  readonly notifier: SystemdNotifier;
  /** Stops listening to the master and ends the heartbeat. */
  detach(): void;
}

/**
 * Tells systemd (Type=notify) what the master is doing, from the master's lifecycle events:
 *
 * | master event    | sent                                                                  |
 * | --------------- | --------------------------------------------------------------------- |
 * | `status` (text) | STATUS=text ("loading model reuters v1", "starting 2 workers")        |
 * | `ready`         | READY=1 + the status line; then STATUS= every 5 s and WATCHDOG=1 every WATCHDOG_USEC/2 while a worker is ready |
 * | `reloading`     | RELOADING=1 + MONOTONIC_USEC=                                         |
 * | `reloaded`      | READY=1 + the status line                                             |
 * | `reload-failed` | READY=1 + "reload failed (...); serving <model> v<n>": systemd waits for READY=1 after RELOADING=1, success or not |
 * | `stopping`      | STOPPING=1; the heartbeat (STATUS, WATCHDOG) ends                     |
 *
 * Attach before the master boots, or the boot's `status` events go unheard. Without
 * NOTIFY_SOCKET nothing is sent and nothing is spawned; without WATCHDOG_USEC no WATCHDOG=1.
 *
 * @example
 * attachSystemd(master, { log, snapshot: () => systemdSnapshot(master) });
 */
export function attachSystemd(master: EventEmitter, options: AttachSystemdOptions): SystemdLink {
  const { log, snapshot, statusMs } = options;
  const notifier = options.notifier ?? new Notifier({ log });
  let heartbeat: Heartbeat | null = null;
  // The line sent with READY=1: no rate yet (the heartbeat measures it over its period).
  const currentLine = () => statusLine({ ...snapshot(), rps: 0 });

  const listeners: Record<string, (...args: unknown[]) => void> = {
    status: (text) => void notifier.status(String(text)),
    ready: () => {
      void notifier.ready(currentLine());
      heartbeat ??= startHeartbeat({
        notifier,
        log,
        watchdogMs: watchdogIntervalMs(process.env, process.pid),
        snapshot,
        ...(statusMs === undefined ? {} : { statusMs }),
      });
    },
    reloading: () => void notifier.reloading(),
    reloaded: () => void notifier.ready(currentLine()),
    'reload-failed': (err) => {
      const { model } = snapshot();
      const why = err instanceof Error ? ('code' in err ? String(err.code) : err.message) : String(err);
      void notifier.ready(`reload failed (${why}); serving ${model.name} v${model.version}`);
    },
    stopping: () => {
      heartbeat?.stop();
      heartbeat = null;
      void notifier.stopping();
    },
  };
  for (const [event, listener] of Object.entries(listeners)) master.on(event, listener);

  return {
    notifier,
    detach() {
      for (const [event, listener] of Object.entries(listeners)) master.off(event, listener);
      heartbeat?.stop();
      heartbeat = null;
    },
  };
}
