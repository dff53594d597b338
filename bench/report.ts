import { renderFamilies } from './scenarios/families.js';
import { checkGoals, type GoalCheck } from './goals.js';
import { fmtInt, fmtPct, mdTable } from './markdown.js';
import { chartLinks, renderPost, renderProtocols, renderRamp, renderStartup, renderSteady, renderSweep } from './reportParts.js';
import type { ForeignCpu } from './foreignCpu.js';
import type { BenchResults } from './results.js';

function goalsTable(checks: GoalCheck[]): string {
  const result = (pass: boolean | null): string => (pass === null ? 'not measured' : pass ? '**met**' : '**missed**');
  return mdTable(['target', 'measured', 'result', 'by how much'], checks.map((c) => [c.goal, c.measured, result(c.pass), c.margin]), [0, 1, 2]);
}

function machineTable(results: BenchResults): string {
  const { machine: m, quiet: q } = results;
  const wait =
    q.maxS === 0
      ? `not waited for (--wait-quiet 0): **figures taken at load ${q.loadBefore}**`
      : q.waitedS === 0 && q.quiet
      ? `not needed: ${q.loadBefore} < ${q.threshold}`
      : q.quiet
        ? `waited ${q.waitedS} s, until ${q.loadAfter} < ${q.threshold}`
        : `gave up after ${q.waitedS} s at ${q.loadAfter} (>= ${q.threshold}): **figures taken on a busy machine**`;
  const rows: Array<[string, string]> = [
    ['date', m.date],
    ['CPUs (nproc)', String(m.cpus)],
    ['CPU model', m.cpuModel],
    ['memory', `${m.memoryGiB} GiB`],
    ['kernel', m.kernel],
    ['load average (1 min) at start', String(m.loadAverage)],
    ['wait for load average < ' + q.threshold, wait],
    ['node', m.node],
    ['nginx', m.nginx],
    ['uWSGI', m.uwsgi],
    ['python (peer)', m.python],
    ['wrk', m.wrk],
  ];
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** What a reader should know before trusting the figures, found in them rather than remembered. */
export function observations(results: BenchResults): string[] {
  const notes: string[] = (results.failures ?? []).map((f) => `**Part failed**, ${f}`);
  const q = results.quiet;
  if (q.maxS === 0 && !q.quiet) notes.push(`The bench did not wait for a quiet machine (--wait-quiet 0) and started at load average ${q.loadBefore}.`);
  else if (!q.quiet) notes.push(`The machine never got quiet (load average ${q.loadAfter} after ${q.waitedS} s of waiting).`);
  const none: ForeignCpu = { cpuS: 0, share: 0, top: [] };
  const runs: Array<{ what: string; errors: number; foreign: ForeignCpu }> = [
    ...(results.sweep?.points ?? []).map((p) => ({
      what: `${results.sweep!.servers.find((s) => s.server === p.server)?.name ?? p.server} GET c=${p.concurrency}`,
      errors: p.wrk.errorsTotal,
      foreign: p.foreign,
    })),
    ...(results.post ? [{ what: 'mlserve POST', errors: results.post.wrk.errorsTotal, foreign: results.post.foreign }] : []),
    ...(results.ramp?.runs ?? []).map((r) => ({ what: `${r.name} ramp`, errors: r.errors, foreign: r.foreign })),
    ...(results.steady?.runs ?? []).map((r) => ({ what: `${r.name} steady load`, errors: r.errors, foreign: r.foreign })),
    ...(results.mltopLoad ? [{ what: 'mlserve under mltop', errors: results.mltopLoad.errorsTotal, foreign: none }] : []),
  ];
  for (const r of runs.filter((r) => r.errors > 0)) notes.push(`${r.what}: ${fmtInt(r.errors)} failed requests (see its table for the kinds).`);
  for (const r of runs.filter((r) => r.foreign.share > 0.1)) {
    notes.push(`Other processes took ${fmtPct(r.foreign.share)} of the CPUs during ${r.what} (${r.foreign.top.join(', ')}): its figures are low.`);
  }
  for (const r of results.ramp?.runs ?? []) {
    if (r.statsMisses > 0) notes.push(`${r.name} ramp: the stats socket could not be read in ${r.statsMisses} of ${r.seconds.length} seconds.`);
  }
  return notes;
}

/**
 * docs/benchmarks.md for one run: targets, machine, then each part that ran with its charts
 * (`chartsDir` relative to the report).
 */
export function renderReport(results: BenchResults, charts: ReadonlyArray<{ file: string; title: string }>, chartsDir: string): string {
  const sections: string[] = [];
  if (results.sweep) {
    sections.push(`## GET /predict through nginx: throughput vs concurrency

${chartLinks(charts, ['throughput.svg', 'latency.svg'], chartsDir)}

${renderSweep(results.sweep)}`);
  }
  if (results.protocols) sections.push(`## Client protocols beside GET /predict (c=${results.protocols.concurrency}, same mlserve)\n\n${renderProtocols(results.protocols)}`);
  if (results.post) sections.push(`## POST /predict, ${results.post.size} texts a request (mlserve only)\n\n${renderPost(results.post)}`);
  if (results.startup) sections.push(`## Startup: spawn to the first prediction\n\n${renderStartup(results.startup)}`);
  if (results.ramp) {
    sections.push(`## Ramp: rising and falling load with scaling on

${chartLinks(charts, ['ramp-latency.svg', 'ramp-workers.svg'], chartsDir)}

${renderRamp(results.ramp)}`);
  }
  if (results.steady) {
    sections.push(`## Steady load with scaling on: does the worker count hold?

${chartLinks(charts, ['steady-workers.svg'], chartsDir)}

${renderSteady(results.steady)}`);
  }
  if (results.families) sections.push(`## Model families: fast path and tfjs-wasm\n\n${renderFamilies(results.families)}`);
  if (results.mltop) {
    sections.push(`## mltop under load

[docs/mltop.md](mltop.md#the-screen) shows the screen captured on ${results.mltop.date}, while ${results.mltop.load}.`);
  }
  const notes = observations(results);
  const minutes = (results.totalS / 60).toFixed(1);
  return `# Benchmarks

Written by \`npm run bench\` (bench/bench.ts) in one run of ${minutes} minutes on the machine below;
rerun it to refresh these figures rather than editing them. \`npm run bench -- --help\` lists the
flags (\`--only sweep,post,startup,ramp,steady,families,mltop\`, \`--quick\`, durations, concurrencies). Every server
serves ${results.model} and sits behind a real nginx (worker_processes 1) on a loopback port; the
servers run one at a time (\`mlserve uwsgi_pass\` is mlserve behind the seed's own nginx site, a
new uwsgi connection a request, measured at c=64). wrk, nginx and the server share the machine's 2 CPUs, so the figures
compare servers on this machine, not absolute capacity; each is a single run, so rerun to see the
spread before reading much into differences of a few percent. Measurements made by hand beside
this report (before/after pairs, ceilings, what a round changed) are in
[benchmark-notes.md](benchmark-notes.md), which no run overwrites.

## Command

    ${results.command}

## Targets

${goalsTable(checkGoals(results))}

Judged by bench/goals.ts on the figures below; "by how much" is relative to the target.

## Machine

${machineTable(results)}

${sections.join('\n\n')}

## Observations

${notes.length === 0 ? 'None: no failed request, no stats socket miss, and no run disturbed by more than 10% of foreign CPU.' : notes.map((n) => `- ${n}`).join('\n')}
`;
}
