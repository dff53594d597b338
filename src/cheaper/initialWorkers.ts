import type { CheaperOptions } from './types.js';

/**
 * How many workers the supervisor starts at boot: all of them when `cheaper` is 0 (scaling
 * off), otherwise `cheaper-initial`, which defaults to `cheaper` (uWSGI core/init.c; the resolve
 * step already clamped an explicit value into [cheaper, workers]).
 *
 * @example
 * await supervisor.start(initialWorkers(config));
 */
export function initialWorkers(opts: Pick<CheaperOptions, 'workers' | 'cheaper' | 'cheaperInitial'>): number {
  if (opts.cheaper === 0) return opts.workers;
  return Math.max(opts.cheaper, Math.min(opts.workers, opts.cheaperInitial ?? opts.cheaper));
}
