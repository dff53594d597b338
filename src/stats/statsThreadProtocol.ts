import type { ErrorCode } from '../errors.js';
import type { StatsAddress } from './statsServer.js';
import type { StatsInput } from './statsInput.js';

/** What the stats thread is started with (its `workerData`). */
export interface StatsThreadData {
  address: StatsAddress;
  http: boolean;
  minified: boolean;
  mode: number;
  vacuum: boolean;
  timeoutMs: number;
}

/** Messages from the stats thread to the master's main thread. */
export type FromStatsThread =
  /** Listening; for TCP, `address` has the real port. */
  | { type: 'listening'; address: StatsAddress }
  /** It could not listen: the error to throw from startStatsThread. */
  | { type: 'failed'; code: ErrorCode | null; message: string }
  /** A client connected: send a StatsInput gathered now, with this id. */
  | { type: 'input'; id: number }
  /** A line for the master's log. */
  | { type: 'log'; level: 'debug' | 'error'; fields: Record<string, unknown>; msg: string };

/** Messages from the main thread to the stats thread. */
export type ToStatsThread =
  | { type: 'input'; id: number; input: StatsInput }
  | { type: 'input'; id: number; error: string }
  /** Close the server (removing the socket file when `vacuum`, the value in force now) and exit. */
  | { type: 'close'; vacuum?: boolean };
