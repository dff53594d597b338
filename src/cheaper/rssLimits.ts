import type { CheaperDecision, CheaperOptions, CheaperSnapshot } from './types.js';

/** Which rss limit the active workers are at: `hard` (cheap one), `soft` (no spawning) or none. */
export type RssLimit = 'hard' | 'soft' | null;

type RssOptions = Pick<CheaperOptions, 'cheaperRssLimitSoft' | 'cheaperRssLimitHard'>;

const megabytes = (bytes: number): string => `${Math.round(bytes / 1048576)}M`;

/**
 * The rss limit reached by `snap.rss` (summed over active workers; null = unknown, no limit),
 * as uWSGI's uwsgi_calc_cheaper (core/master_utils.c) tests it: the hard limit cheaps only
 * while more than one worker is active; otherwise it blocks spawning like the soft one.
 */
export function rssLimit(snap: Pick<CheaperSnapshot, 'rss' | 'active'>, opts: RssOptions): RssLimit {
  if (snap.rss === null) return null;
  const { cheaperRssLimitSoft: soft, cheaperRssLimitHard: hard } = opts;
  if (hard !== null && snap.rss >= hard) return snap.active > 1 ? 'hard' : 'soft';
  if (soft !== null && snap.rss >= soft) return 'soft';
  return null;
}

/**
 * uWSGI's cheaper-rss-limit-soft / -hard applied to an algorithm's decision: at the soft limit
 * a spawn becomes null (only cheaping is allowed); at the hard limit the answer is "cheap one",
 * whatever the algorithm said.
 *
 * @example
 * withRssLimits({ spawn: 2, reason: 'spare: ...' }, { ...snap, rss: 600 * 2 ** 20 }, { cheaperRssLimitSoft: 512 * 2 ** 20, cheaperRssLimitHard: null }) // null
 */
export function withRssLimits(decision: CheaperDecision, snap: Pick<CheaperSnapshot, 'rss' | 'active'>, opts: RssOptions): CheaperDecision {
  const limit = rssLimit(snap, opts);
  if (limit === 'hard') {
    return { cheap: 1, reason: `rss ${megabytes(snap.rss ?? 0)} over cheaper-rss-limit-hard ${megabytes(opts.cheaperRssLimitHard ?? 0)}` };
  }
  if (limit === 'soft' && decision !== null && 'spawn' in decision) return null;
  return decision;
}
