import { fmtInt, fmtMiB, fmtMs, fmtPct, mdTable } from './markdown.js';
import { median } from './percentile.js';
import type { LoadRun, PostResult, RampResult, RampRun, StartupResult, SweepResult } from './results.js';
import type { WrkResult } from './wrk.js';

/** "0", or "12 (HTTP 503 × 10, timeout 2)": responses by status, socket errors by kind. */
export function errorsCell(wrk: WrkResult): string {
  if (wrk.errorsTotal === 0) return '0';
  const { non2xx, ...socket } = wrk.errors;
  const statuses = Object.entries(wrk.statuses).map(([status, n]) => `HTTP ${status} × ${fmtInt(n)}`);
  const counted = Object.values(wrk.statuses).reduce((a, b) => a + b, 0);
  if (non2xx > counted) statuses.push(`non-2xx ${fmtInt(non2xx - counted)}`);
  const parts = [...statuses, ...Object.entries(socket).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${fmtInt(n)}`)];
  return `${fmtInt(wrk.errorsTotal)} (${parts.join(', ')})`;
}

const otherCpu = (run: LoadRun): string => `${fmtPct(run.foreign.share)}${run.attempts > 1 ? ` (best of ${run.attempts})` : ''}`;

/** Image links to the charts whose file is in `files`, relative to the report. */
export function chartLinks(charts: ReadonlyArray<{ file: string; title: string }>, files: readonly string[], dir: string): string {
  return charts
    .filter((c) => files.includes(c.file))
    .map((c) => `![${c.title}](${dir}/${c.file})`)
    .join('\n');
}

/** The sweep: a side-by-side table of req/s, then every figure of every point. */
export function renderSweep(sweep: SweepResult): string {
  const concurrencies = [...new Set(sweep.points.map((p) => p.concurrency))].sort((a, b) => a - b);
  const at = (server: string, c: number) => sweep.points.find((p) => p.server === server && p.concurrency === c);
  const names = sweep.servers.map((s) => s.name);
  const ratios: Array<[string, string, string]> = [];
  if (names.includes('uwsgi-flask')) ratios.push(['mlserve / peer', 'mlserve', 'peer']);
  if (names.includes('hello-world')) ratios.push(['mlserve / hello-world', 'mlserve', 'hello']);
  if (names.includes('mlserve uwsgi_pass') && names.includes('uwsgi-flask')) ratios.push(['uwsgi_pass / peer', 'uwsgi-pass', 'peer']);
  const side = mdTable(
    ['concurrency', ...sweep.servers.map((s) => `${s.name} 2xx/s`), ...sweep.servers.map((s) => `${s.name} p99 ms`), ...ratios.map(([h]) => h)],
    concurrencies.map((c) => [
      String(c),
      ...sweep.servers.map((s) => (at(s.server, c) ? fmtInt(at(s.server, c)!.wrk.okRps) : '–')),
      ...sweep.servers.map((s) => (at(s.server, c) ? fmtMs(at(s.server, c)!.wrk.latencyMs.p99) : '–')),
      ...ratios.map(([, a, b]) => {
        const [x, y] = [at(a, c), at(b, c)];
        return x && y ? `${(x.wrk.okRps / y.wrk.okRps).toFixed(2)}x` : '–';
      }),
    ]),
  );
  const detail = mdTable(
    ['server', 'c', '2xx/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'procs', 'RSS MiB', 'other CPU'],
    sweep.servers.flatMap((s) =>
      concurrencies.flatMap((c) => {
        const p = at(s.server, c);
        if (!p) return [];
        const l = p.wrk.latencyMs;
        return [[s.name, String(c), fmtInt(p.wrk.okRps), fmtMs(l.p50), fmtMs(l.p90), fmtMs(l.p99), fmtMs(l.max), errorsCell(p.wrk), String(p.memAfter.processes), fmtMiB(p.memAfter.rssKiB), otherCpu(p)]];
      }),
    ),
  );
  const example = sweep.points.find((p) => p.concurrency === 64) ?? sweep.points[0];
  return `${side}

${detail}

- Servers, each started fresh, loaded alone, then stopped:
${sweep.servers.map((s) => `  - **${s.name}**: ${s.description}`).join('\n')}
- Load, each point: \`${example?.wrk.command ?? 'wrk'}\` (\`-c\` the concurrency; \`-t1\` at c=1, as wrk needs
  -c >= -t), after a ${sweep.warmupS} s warm-up with the same settings. The script (bench/wrk.ts) cycles
  \`GET /predict?text=...\` over ${sweep.texts} real Reuters test texts (held out of training); texts whose
  URL encoding exceeds ${sweep.maxTextBytes} bytes are cut at a word boundary, because the peer's uWSGI rejects
  longer query strings (buffer-size 4096).
- 2xx/s: successful responses a second, the throughput every figure and target here uses (an
  error answer is fast and would flatter a server that fails). errors: responses outside 2xx by
  status, plus socket errors (connect, read, write, timeout after 5 s). Latencies are wrk's over
  every response, errors included.
- RSS: the server's process tree right after the run, from /proc, **nginx excluded**; mlserve and
  hello-world are one process each (mlserve's workers are threads), the peer is uWSGI's master and workers.
- other CPU: CPU time used by processes outside the bench during the measured run (other engineers'
  tests on this shared machine), as a share of both cores. A point above 10% is measured again
  (\`--retries\`, after a second under 10%) and the least disturbed attempt is kept.`;
}

/** POST /predict with many texts a request. */
export function renderPost(post: PostResult): string {
  const l = post.wrk.latencyMs;
  const table = mdTable(
    ['server', 'texts a request', '2xx/s', 'predictions/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'RSS MiB', 'other CPU'],
    [['mlserve', String(post.size), post.wrk.okRps.toFixed(1), fmtInt(post.predictionsPerS), fmtMs(l.p50), fmtMs(l.p90), fmtMs(l.p99), fmtMs(l.max), errorsCell(post.wrk), fmtMiB(post.memAfter.rssKiB), otherCpu(post)]],
  );
  const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  const cut =
    post.textsCut === 0
      ? 'no text had to be cut'
      : `${post.textsCut} of the longest texts were cut in half at a word boundary (repeatedly) to stay under it`;
  return `${table}

- Server: ${post.description}.
- Load: \`${post.wrk.command}\` after a ${post.warmupS} s warm-up; the script POSTs \`{"texts": [...]}\` with
  \`Content-Type: application/json\`, cycling over ${post.bodies} different bodies of ${post.size} consecutive Reuters
  test texts each (${post.bodies * post.size} distinct texts). predictions/s = 2xx/s × ${post.size}.
- Body size: ${kib(post.smallestBytes)} to ${kib(post.largestBytes)}, under nginx/mlserve.conf's
  \`client_max_body_size\` (${fmtInt(post.maxBodyBytes)} bytes; mlserve's max-body-size is the same 1 MiB): ${cut}.
- **The peer is not run here**: its Flask app only has \`GET /predict?text=\`, one text a request.`;
}

/** Startup: each run and the median. */
export function renderStartup(startup: StartupResult): string {
  const table = mdTable(
    ['server', 'runs (ms)', 'median ms', 'ready log startupMs (median)', 'what is timed'],
    startup.servers.map((s) => [
      s.name,
      s.runsMs.map((ms) => ms.toFixed(0)).join(', '),
      s.medianMs.toFixed(0),
      s.selfReportedMs ? median(s.selfReportedMs).toFixed(0) : '–',
      s.description,
    ]),
    [0, 1, 4],
  );
  return `${table}

- The poll loop: ${startup.probe}; refused connections and 502s count as not up yet. The median is the
  lower middle run for an even number of runs. mlserve's ready log line reports its own time from
  process start to listening; the poll loop adds the spawn of node and the first prediction.`;
}

interface Level {
  from: number;
  to: number;
  concurrency: number;
}

// Consecutive seconds at the same concurrency.
function levels(schedule: number[]): Level[] {
  const out: Level[] = [];
  schedule.forEach((c, t) => {
    const last = out[out.length - 1];
    if (last && last.concurrency === c) last.to = t;
    else out.push({ from: t, to: t, concurrency: c });
  });
  return out;
}

function levelCells(run: RampRun | undefined, level: Level): string[] {
  if (!run) return ['–', '–', '–', '–'];
  const secs = run.seconds.filter((s) => s.t >= level.from && s.t <= level.to);
  const completed = secs.reduce((sum, s) => sum + s.completed, 0);
  const p50s = secs.map((s) => s.p50Ms).filter(Number.isFinite);
  const p99s = secs.map((s) => s.p99Ms).filter(Number.isFinite);
  const active = secs.map((s) => s.active).filter((a): a is number => a !== null);
  // At concurrency 0 only the stragglers of the level before complete: no latency to speak of.
  const latency = level.concurrency > 0;
  return [
    fmtInt(completed / Math.max(1, secs.length)),
    latency && p50s.length ? fmtMs(median(p50s)) : '–',
    latency && p99s.length ? fmtMs(Math.max(...p99s)) : '–',
    active.length ? `${active[0]}→${active[active.length - 1]}` : '–',
  ];
}

/** The ramp: a summary a server, a row a level, and how it was run. */
export function renderRamp(ramp: RampResult): string {
  const summary = mdTable(
    ['server', 'requests', 'errors', 'p50 ms', 'p99 ms', 'worst 1-s p99 ms', 'active workers min..max', 'stats misses', 'scaling'],
    ramp.runs.map((r) => {
      const active = r.seconds.map((s) => s.active).filter((a): a is number => a !== null);
      const worst = Math.max(...r.seconds.map((s) => s.p99Ms).filter(Number.isFinite));
      return [r.name, fmtInt(r.completed), String(r.errors), fmtMs(r.p50Ms), fmtMs(r.p99Ms), fmtMs(worst), active.length ? `${Math.min(...active)}..${Math.max(...active)}` : '–', String(r.statsMisses), r.scaling];
    }),
    [0, 8],
  );
  const names = ramp.runs.map((r) => r.name);
  const perLevel = mdTable(
    ['seconds', 'concurrency', ...names.flatMap((n) => [`${n} resp/s`, `${n} p50 ms`, `${n} worst p99 ms`, `${n} workers`])],
    levels(ramp.schedule).map((lv) => [`${lv.from}–${lv.to + 1}`, String(lv.concurrency), ...ramp.runs.flatMap((r) => levelCells(r, lv))]),
    [0],
  );
  const peak = Math.max(...ramp.schedule);
  return `${summary}

${perLevel}

- Schedule (bench/rampSchedule.ts): concurrency 1, 2, 4, ... ${peak}, ... 2, 1, ${ramp.stepS} s a level, then
  ${ramp.tailS} s idle so the scale-down shows: ${ramp.schedule.length} s a server, each started fresh.
- Load generator: bench/rampClient.ts, in the bench's process: closed-loop keep-alive connections to
  nginx on 127.0.0.1 (one request in flight each), as many sending as the second's concurrency;
  raising it wakes or opens connections, lowering it lets the extra ones go quiet. One process
  for the whole ramp rather than a wrk per step, so a step opens no burst of new connections and
  latency is tallied per second (p50/p99 of the responses that completed in it). Same GET texts
  as the sweep.
- Active workers: the server's stats socket read at the end of each second (mlserve \`--stats\`;
  uWSGI's \`stats = .../peer-stats.sock\`), counting \`workers[]\` with status idle or busy.
  Per level: resp/s = responses a second (errors included; see the errors column above), p50 =
  the median of its seconds' p50, worst p99 = the highest of its seconds' p99, workers = the
  count at its first and last second.`;
}
