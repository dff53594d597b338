import { fmtInt } from './markdown.js';
import type { BenchResults, SweepPoint } from './results.js';

/** One target of the throughput issue, checked against a run's figures. */
export interface GoalCheck {
  goal: string;
  /** The figures it was judged on. */
  measured: string;
  /** null: this run did not measure it (a part or a server left out). */
  pass: boolean | null;
  /** By how much it was met or missed, relative to the goal: "+12% over", "30% short". */
  margin: string;
}

/** The concurrency of the throughput targets. */
export const GOAL_CONCURRENCY = 64;

const notMeasured = (goal: string, why: string): GoalCheck => ({ goal, measured: why, pass: null, margin: '' });

/**
 * `value` against `goal` where higher is better (`atLeast`) or lower is (`atMost`): how far
 * past the goal it is, or how far short, as a share of the goal.
 *
 * @example
 * margin(3.6, 3, 'atLeast') // '+20% over'
 * margin(0.6, 0.5, 'atMost') // '20% short'
 */
export function margin(value: number, goal: number, kind: 'atLeast' | 'atMost'): string {
  const better = kind === 'atLeast' ? value / goal - 1 : 1 - value / goal;
  const pct = Math.abs(better * 100);
  const text = pct < 10 ? pct.toFixed(1) : pct.toFixed(0);
  return better >= 0 ? `+${text}% over` : `${text}% short`;
}

function point(results: BenchResults, server: SweepPoint['server'], concurrency: number): SweepPoint | undefined {
  return results.sweep?.points.find((p) => p.server === server && p.concurrency === concurrency);
}

/** Every target of the issue, judged on `results`, in the issue's order. */
export function checkGoals(results: BenchResults): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const c = GOAL_CONCURRENCY;
  const ml = point(results, 'mlserve', c);
  const peer = point(results, 'peer', c);
  const hello = point(results, 'hello', c);

  const rpsGoal = `GET /predict c=${c}: mlserve req/s >= 3.0x the peer's`;
  if (ml && peer) {
    const ratio = ml.wrk.okRps / peer.wrk.okRps;
    checks.push({ goal: rpsGoal, measured: `${fmtInt(ml.wrk.okRps)} vs ${fmtInt(peer.wrk.okRps)} 2xx/s = ${ratio.toFixed(2)}x`, pass: ratio >= 3, margin: margin(ratio, 3, 'atLeast') });
  } else checks.push(notMeasured(rpsGoal, `no c=${c} sweep of both`));

  // Issue 13: the classic stack's own nginx site, unchanged, through mlserve's uwsgi protocol.
  const uwsgi = point(results, 'uwsgi-pass', c);
  const uwsgiGoal = `GET /predict c=${c} through the seed's nginx site (uwsgi_pass): mlserve req/s >= 3.0x the peer's`;
  if (uwsgi && peer) {
    const ratio = uwsgi.wrk.okRps / peer.wrk.okRps;
    checks.push({ goal: uwsgiGoal, measured: `${fmtInt(uwsgi.wrk.okRps)} vs ${fmtInt(peer.wrk.okRps)} 2xx/s = ${ratio.toFixed(2)}x`, pass: ratio >= 3, margin: margin(ratio, 3, 'atLeast') });
  } else checks.push(notMeasured(uwsgiGoal, `no c=${c} sweep of both`));

  const p99Goal = `GET /predict c=${c}: mlserve p99 <= 0.5x the peer's`;
  if (ml && peer) {
    const ratio = ml.wrk.latencyMs.p99 / peer.wrk.latencyMs.p99;
    checks.push({
      goal: p99Goal,
      measured: `${ml.wrk.latencyMs.p99.toFixed(2)} vs ${peer.wrk.latencyMs.p99.toFixed(2)} ms = ${ratio.toFixed(2)}x`,
      pass: ratio <= 0.5,
      margin: margin(ratio, 0.5, 'atMost'),
    });
  } else checks.push(notMeasured(p99Goal, `no c=${c} sweep of both`));

  const ceilingGoal = `GET /predict c=${c}: mlserve >= 50% of the hello-world ceiling`;
  if (ml && hello) {
    const share = ml.wrk.okRps / hello.wrk.okRps;
    checks.push({
      goal: ceilingGoal,
      measured: `${fmtInt(ml.wrk.okRps)} vs ${fmtInt(hello.wrk.okRps)} 2xx/s = ${(share * 100).toFixed(0)}%`,
      pass: share >= 0.5,
      margin: margin(share, 0.5, 'atLeast'),
    });
  } else checks.push(notMeasured(ceilingGoal, `no c=${c} sweep of mlserve and hello-world`));

  const postGoal = 'POST /predict, 256 texts a request: >= 50,000 predictions/s';
  const post = results.post;
  if (post && post.size === 256) {
    checks.push({
      goal: postGoal,
      measured: `${post.wrk.okRps.toFixed(1)} 2xx/s × 256 = ${fmtInt(post.predictionsPerS)} predictions/s`,
      pass: post.predictionsPerS >= 50_000,
      margin: margin(post.predictionsPerS, 50_000, 'atLeast'),
    });
  } else checks.push(notMeasured(postGoal, post ? `POST run with ${post.size} texts a request` : 'no POST run'));

  const mlOne = point(results, 'mlserve', 1);
  const peerOne = point(results, 'peer', 1);
  const c1Goal = 'GET /predict c=1: mlserve p50 no worse than the peer\'s';
  if (mlOne && peerOne) {
    const [a, b] = [mlOne.wrk.latencyMs.p50, peerOne.wrk.latencyMs.p50];
    checks.push({ goal: c1Goal, measured: `${a.toFixed(2)} vs ${b.toFixed(2)} ms`, pass: a <= b, margin: margin(a, b, 'atMost') });
  } else checks.push(notMeasured(c1Goal, 'no c=1 sweep of both'));

  const startGoal = 'startup (2 workers, spawn to first 200): <= 2 s';
  const start = results.startup?.servers.find((s) => s.name === 'mlserve');
  if (start) {
    checks.push({ goal: startGoal, measured: `median ${start.medianMs.toFixed(0)} ms of ${start.runsMs.length}`, pass: start.medianMs <= 2000, margin: margin(start.medianMs, 2000, 'atMost') });
  } else checks.push(notMeasured(startGoal, 'no startup run'));

  checks.push(noFailures(results));
  return checks;
}

// mlserve's runs only: the peer's and the ceiling's failures are shown in their tables.
function noFailures(results: BenchResults): GoalCheck {
  const goal = 'mlserve: no failed request in any run';
  const runs: Array<[string, number, number]> = [];
  for (const p of results.sweep?.points ?? []) {
    if (p.server === 'mlserve') runs.push([`GET c=${p.concurrency}`, p.wrk.errorsTotal, p.wrk.requests]);
    if (p.server === 'uwsgi-pass') runs.push([`GET uwsgi_pass c=${p.concurrency}`, p.wrk.errorsTotal, p.wrk.requests]);
  }
  if (results.post) runs.push(['POST', results.post.wrk.errorsTotal, results.post.wrk.requests]);
  for (const r of results.ramp?.runs ?? []) {
    if (r.name === 'mlserve') runs.push(['ramp', r.errors, r.completed]);
  }
  if (results.mltopLoad) runs.push(['mltop load', results.mltopLoad.errorsTotal, results.mltopLoad.requests]);
  if (runs.length === 0) return notMeasured(goal, 'no mlserve run');
  const failed = runs.reduce((sum, [, e]) => sum + e, 0);
  const total = runs.reduce((sum, [, , n]) => sum + n, 0);
  const where = runs.filter(([, e]) => e > 0).map(([name, e]) => `${name}: ${e}`).join(', ');
  return {
    goal,
    measured: `${fmtInt(failed)} failed of ${fmtInt(total)} requests in ${runs.length} run${runs.length === 1 ? '' : 's'}${where ? ` (${where})` : ''}`,
    pass: failed === 0,
    margin: failed === 0 ? 'met' : `${failed} failed`,
  };
}
