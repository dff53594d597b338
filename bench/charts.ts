import type { BenchResults, RampRun, SweepResult } from './results.js';
import { PALETTE, renderLineChart, type Series } from './svg.js';

/** One chart: its file name (under docs/bench/) and what it shows. */
export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const GREY = '#888888';

// Each server keeps its colour in every chart.
const COLORS: Record<string, string> = { mlserve: PALETTE[0]!, 'uwsgi-flask': PALETTE[1]!, 'hello-world': PALETTE[2]!, 'mlserve uwsgi_pass': PALETTE[3]! };
const colorOf = (name: string): string => COLORS[name] ?? PALETTE[3]!;

function sweepCharts(sweep: SweepResult): Chart[] {
  const concurrencies = [...new Set(sweep.points.map((p) => p.concurrency))].sort((a, b) => a - b);
  const x = { label: 'concurrent connections (wrk -c)', scale: 'log' as const, ticks: concurrencies, min: concurrencies[0], max: concurrencies.at(-1) };
  const subtitle = `GET /predict through nginx, wrk ${sweep.durationS} s a point, real Reuters texts`;
  const throughput: Series[] = sweep.servers.map(({ server, name }) => ({
    name,
    color: colorOf(name),
    markers: true,
    points: sweep.points.filter((p) => p.server === server).map((p) => [p.concurrency, p.wrk.okRps] as const),
  }));
  const latency: Series[] = sweep.servers.flatMap(({ server, name }) => {
    const points = sweep.points.filter((p) => p.server === server);
    return [
      { name: `${name} p99`, color: colorOf(name), markers: true, points: points.map((p) => [p.concurrency, p.wrk.latencyMs.p99] as const) },
      { name: `${name} p50`, color: colorOf(name), dashed: true, points: points.map((p) => [p.concurrency, p.wrk.latencyMs.p50] as const) },
    ];
  });
  return [
    {
      file: 'throughput.svg',
      title: 'Throughput vs concurrency',
      svg: renderLineChart({ title: 'Throughput vs concurrency', subtitle, x, y: { label: 'requests/s' }, series: throughput }),
    },
    {
      file: 'latency.svg',
      title: 'Latency vs concurrency',
      svg: renderLineChart({ title: 'Latency vs concurrency (p99 solid, p50 dashed)', subtitle, x, y: { label: 'ms (log)', scale: 'log' }, series: latency }),
    },
  ];
}

// A value per second holds for the whole second: repeat the last one at the end of its second.
function heldSteps(points: Array<readonly [number, number]>): Array<readonly [number, number]> {
  const last = points[points.length - 1];
  return last ? [...points, [last[0] + 1, last[1]] as const] : points;
}

function rampCharts(runs: RampRun[], schedule: number[]): Chart[] {
  const x = { label: 'seconds since the ramp started', min: 0, max: schedule.length };
  const subtitle = 'concurrency 1 → peak → 1, then idle; each point is one second';
  const latency: Series[] = runs.flatMap((run) => [
    { name: `${run.name} p99`, color: colorOf(run.name), points: run.seconds.map((s) => [s.t, s.p99Ms] as const) },
    { name: `${run.name} p50`, color: colorOf(run.name), dashed: true, points: run.seconds.map((s) => [s.t, s.p50Ms] as const) },
  ]);
  const workers: Series[] = [
    ...runs.map((run) => ({
      name: `${run.name} active workers`,
      color: colorOf(run.name),
      step: true,
      points: heldSteps(run.seconds.map((s) => [s.t, s.active ?? Number.NaN] as const)),
    })),
    { name: 'concurrency (right axis)', color: GREY, dashed: true, step: true, axis: 'right' as const, points: heldSteps(schedule.map((c, t) => [t, c] as const)) },
  ];
  const maxActive = Math.max(1, ...runs.flatMap((r) => r.seconds.map((s) => s.active ?? 0)));
  return [
    {
      file: 'ramp-latency.svg',
      title: 'Latency over the ramp',
      svg: renderLineChart({ title: 'Latency over the ramp (p99 solid, p50 dashed)', subtitle, x, y: { label: 'ms (log)', scale: 'log' }, series: latency }),
    },
    {
      file: 'ramp-workers.svg',
      title: 'Active workers over the ramp',
      svg: renderLineChart({
        title: 'Active workers over the ramp',
        subtitle: `${subtitle}; workers from the stats socket`,
        x,
        y: { label: 'active workers', min: 0, max: Math.max(8, maxActive) },
        y2: { label: 'concurrent connections' },
        series: workers,
      }),
    },
  ];
}

/** The SVG charts of whatever parts `results` holds. */
export function benchCharts(results: BenchResults): Chart[] {
  return [
    ...(results.sweep && results.sweep.points.length > 0 ? sweepCharts(results.sweep) : []),
    ...(results.ramp && results.ramp.runs.length > 0 ? rampCharts(results.ramp.runs, results.ramp.schedule) : []),
  ];
}
