import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, legendLayout, logTicks, niceTicks, renderLineChart, type LineChart } from '../../bench/svg.js';

const paths = (svg: string): string[] => [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
const numbers = (d: string): number[] => [...d.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

test('nice ticks are round steps covering the range', () => {
  assert.deepEqual(niceTicks(0, 9500), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 8), [0, 2, 4, 6, 8]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(0, 0.3, 3), [0, 0.1, 0.2, 0.3], 'no float noise such as 0.30000000000000004');
  assert.throws(() => niceTicks(5, 1), RangeError);
});

test('log ticks are 1, 2, 5 per decade, just powers of ten over a wide range', () => {
  assert.deepEqual(logTicks(3, 40), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(0.2, 0.9), [0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(0.01, 100000), [0.01, 0.1, 1, 10, 100, 1000, 10000, 100000]);
  assert.throws(() => logTicks(0, 10), RangeError);
});

test('tick labels are short', () => {
  assert.deepEqual([0, 0.5, 12, 1500, 20000, 3_000_000, 0.125].map(formatTick), ['0', '0.5', '12', '1.5k', '20k', '3M', '0.125']);
});

const chart: LineChart = {
  title: 'Throughput <vs> "concurrency" & more',
  subtitle: 'GET /predict',
  x: { label: 'connections', scale: 'log', ticks: [1, 16, 64, 256] },
  y: { label: 'requests/s' },
  series: [
    { name: 'mlserve', markers: true, points: [[1, 2000], [16, 9000], [64, 12000], [256, 11000]] },
    { name: 'peer', points: [[1, 1500], [16, 3000], [64, 3200], [256, 3100]], dashed: true },
  ],
};

test('a chart is one standalone SVG with title, axes, ticks, a path and a legend entry per series', () => {
  const svg = renderLineChart(chart);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="378"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.match(svg, />Throughput &lt;vs&gt; &quot;concurrency&quot; &amp; more</, 'text is XML-escaped');
  assert.equal(paths(svg).length, 2);
  for (const label of ['mlserve', 'peer', 'connections', 'requests/s', '>16<', '>256<', '>10k<', '>15k<', '>0<']) {
    assert.ok(svg.includes(label), `has ${label}`);
  }
  assert.equal((svg.match(/<circle /g) ?? []).length, 4, 'markers only for the series that asks');
  assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 2, 'the dashed series and its legend line');
  assert.equal((svg.match(/<text/g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
  assert.equal(renderLineChart(chart), svg, 'the same input renders the same bytes');
});

test('x on a log scale: 16 is as far from 1 as 256 is from 16', () => {
  const [x1, , x16, , , , x256] = numbers(paths(renderLineChart(chart))[0]!);
  assert.ok(Math.abs(x16! - x1! - (x256! - x16!)) < 0.2, `${x1} ${x16} ${x256}`);
});

test('y on a log scale: 10 sits halfway between 1 and 100; higher values are drawn higher', () => {
  const svg = renderLineChart({ title: 't', x: { label: 'x' }, y: { label: 'ms', scale: 'log' }, series: [{ name: 's', points: [[0, 1], [1, 10], [2, 100]] }] });
  const [, y1, , y10, , y100] = numbers(paths(svg)[0]!);
  assert.ok(Math.abs(y1! - y10! - (y10! - y100!)) < 0.2);
  assert.ok(y100! < y10! && y10! < y1!);
});

test('a non-finite y breaks the line; steps draw horizontal then vertical', () => {
  const svg = renderLineChart({
    title: 't',
    x: { label: 'x' },
    y: { label: 'y' },
    series: [
      { name: 'gappy', points: [[0, 1], [1, 2], [2, Number.NaN], [3, 2], [4, 1]] },
      { name: 'steps', step: true, points: [[0, 1], [1, 3]] },
    ],
  });
  const [gappy, steps] = paths(svg);
  assert.equal(gappy!.match(/M/g)!.length, 2);
  assert.equal(gappy!.match(/L/g)!.length, 2);
  assert.match(steps!, /^M[\d.]+ [\d.]+ H[\d.]+ V[\d.]+$/);
});

test('right-axis series need a y2 axis, whose label and ticks are drawn', () => {
  const series = [{ name: 'load', axis: 'right' as const, points: [[0, 1], [1, 64]] as Array<[number, number]> }];
  assert.throws(() => renderLineChart({ title: 't', x: { label: 'x' }, y: { label: 'y' }, series }), /no y2/);
  const svg = renderLineChart({ title: 't', x: { label: 's' }, y: { label: 'workers', min: 0, max: 8 }, y2: { label: 'connections' }, series });
  assert.ok(svg.includes('>connections</text>'));
  assert.ok(svg.includes('>60</text>'));
});

test('an empty series or an all-NaN one renders axes and legend without a path', () => {
  const svg = renderLineChart({ title: 't', x: { label: 'x' }, y: { label: 'y', scale: 'log' }, series: [{ name: 'none', points: [[0, Number.NaN]] }] });
  assert.equal(paths(svg).length, 0);
  assert.ok(svg.includes('>none</text>'));
});

test('legend entries wrap to the next row when the next one would pass the right edge', () => {
  const layout = legendLayout(['mlserve active workers', 'uwsgi-flask active workers', 'concurrency (right axis)'], 64, 700);
  assert.deepEqual(layout.map((e) => e.row), [0, 0, 1]);
  assert.equal(layout[0]!.x, 64);
  assert.ok(layout[1]!.x > 64 + 22 * 7, 'the second entry starts after the first one\'s text');
  assert.equal(layout[2]!.x, 64);
  assert.deepEqual(legendLayout([], 0, 100), []);
});
