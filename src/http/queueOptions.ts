import { MlserveError } from '../errors.js';
import type { SubmitOptions } from '../model/modelInput.js';

/** The request header that sets a deadline, in milliseconds from arrival (every route). */
export const TIMEOUT_HEADER = 'x-mlserve-timeout-ms';
/** The request header that sets the queue priority (higher first; default 0). */
export const PRIORITY_HEADER = 'x-mlserve-priority';

/** Where a timeout and a priority were given, for messages, and the timeout's unit. */
export interface QueueParams {
  timeoutName: string;
  priorityName: string;
  /** 1 for milliseconds, 1e-3 for microseconds. */
  msPerUnit: number;
}

const HEADERS: QueueParams = { timeoutName: 'X-Mlserve-Timeout-Ms', priorityName: 'X-Mlserve-Priority', msPerUnit: 1 };

/**
 * Deadline and priority as the queue takes them (pure: `now` is the caller's clock), from a
 * timeout counted from arrival and a priority; ERR_PARAMETER_INVALID naming the parameter.
 */
export function queueOptions(timeout: unknown, priority: unknown, params: QueueParams, now: number): SubmitOptions {
  const out: SubmitOptions = {};
  const where = params.timeoutName;
  if (timeout !== undefined) {
    const t = typeof timeout === 'string' && timeout.trim() !== '' ? Number(timeout) : typeof timeout === 'number' ? timeout : NaN;
    const ms = t * params.msPerUnit;
    if (!Number.isFinite(ms) || ms <= 0 || ms > 86_400_000) {
      throw new MlserveError('ERR_PARAMETER_INVALID', `${where} must be a positive number of ${params.msPerUnit === 1 ? 'milliseconds' : 'microseconds'} (at most a day), got ${JSON.stringify(timeout)}`);
    }
    out.deadline = now + ms;
  }
  if (priority !== undefined) {
    const p = typeof priority === 'string' && /^-?\d+$/.test(priority.trim()) ? Number(priority) : typeof priority === 'number' ? priority : NaN;
    if (!Number.isInteger(p) || p < -1000 || p > 1000) {
      throw new MlserveError('ERR_PARAMETER_INVALID', `${params.priorityName} must be an integer from -1000 to 1000, got ${JSON.stringify(priority)}`);
    }
    out.priority = p;
  }
  return out;
}

/** Deadline and priority from the `X-Mlserve-Timeout-Ms` and `X-Mlserve-Priority` headers. */
export function headerQueueOptions(header: (name: string) => string | undefined, now: number): SubmitOptions {
  return queueOptions(header(TIMEOUT_HEADER), header(PRIORITY_HEADER), HEADERS, now);
}
