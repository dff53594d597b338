/**
 * A small line-chart renderer for the bench's figures: plain SVG 1.1 text, no dependency, the
 * same input always gives the same bytes (so regenerated charts diff only when figures change).
 */

/** One line of a chart. A point whose y is not finite (NaN for "no data") breaks the line. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** CSS colour; the palette's next one by default. */
  color?: string;
  dashed?: boolean;
  /** Draw as steps (value held until the next point): for counts such as active workers. */
  step?: boolean;
  /** Mark each point with a dot: for few points, such as a concurrency sweep. */
  markers?: boolean;
  /** Plot against the right axis (`y2`). */
  axis?: 'left' | 'right';
}

/** One axis: its label, scale and range. */
export interface Axis {
  label: string;
  /** `log` is base 10, with ticks at 1, 2 and 5 times powers of ten. */
  scale?: 'linear' | 'log';
  /** Range; from the data when not given (linear: from 0). */
  min?: number;
  max?: number;
  /** Tick values; "nice" ones over the range when not given. */
  ticks?: readonly number[];
}

/** What {@link renderLineChart} draws. */
export interface LineChart {
  title: string;
  /** A smaller line under the title: what was measured, how. */
  subtitle?: string;
  width?: number;
  height?: number;
  x: Axis;
  y: Axis;
  /** A right-hand axis for series with `axis: 'right'`. */
  y2?: Axis;
  series: readonly Series[];
}

/** Colour-blind-safe palette (Okabe–Ito), in the order series take it. */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/**
 * Up to about `count` round tick values (1, 2 or 5 times a power of ten apart) covering
 * [min, max].
 *
 * @example
 * niceTicks(0, 9500) // [0, 2000, 4000, 6000, 8000, 10000]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max < min) throw new RangeError(`niceTicks: bad range ${min}..${max}`);
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v < max + step * 0.999; v += step) ticks.push(round(v, step));
  return ticks;
}

/**
 * Ticks of a log axis: 1, 2 and 5 times each power of ten from the decade at or below `min` to
 * the one at or above `max` (just the powers when that is more than 12 ticks).
 *
 * @example
 * logTicks(3, 40) // [1, 2, 5, 10, 20, 50, 100]
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0 && max >= min && Number.isFinite(max))) throw new RangeError(`logTicks: bad range ${min}..${max}`);
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const all = decades.flatMap((d) => (d === hi ? [1] : [1, 2, 5]).map((m) => round(m * 10 ** d, 10 ** d)));
  return all.length > 12 ? decades.map((d) => round(10 ** d, 10 ** d)) : all;
}

/** A tick label: 0.5, 12, 1.5k, 20k, 3M. */
export function formatTick(v: number): string {
  const abs = Math.abs(v);
  const trim = (n: number, suffix: string): string => `${Number(n.toPrecision(3))}${suffix}`;
  if (abs >= 1e6) return trim(v / 1e6, 'M');
  if (abs >= 1e3) return trim(v / 1e3, 'k');
  return String(Number(v.toPrecision(3)));
}

/** Renders `chart` as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const legend = legendLayout(chart.series.map((s) => s.name), 64, width - 20);
  const legendRows = legend.length === 0 ? 0 : legend[legend.length - 1]!.row + 1;
  const height = chart.height ?? 360 + 18 * legendRows;
  const hasRight = chart.series.some((s) => s.axis === 'right');
  if (hasRight && !chart.y2) throw new TypeError(`renderLineChart: "${chart.title}" has right-axis series but no y2`);
  const top = chart.subtitle ? 52 : 36;
  const plot = { left: 64, top, right: width - (hasRight ? 64 : 20), bottom: height - 48 - 18 * legendRows };

  const values = (axis: 'x' | 'left' | 'right'): number[] =>
    chart.series
      .filter((s) => axis === 'x' || (s.axis ?? 'left') === axis)
      .flatMap((s) => s.points.map((p) => (axis === 'x' ? p[0] : p[1])))
      .filter((v) => Number.isFinite(v));
  const xs = scaleFor(chart.x, values('x'), plot.left, plot.right);
  const ys = scaleFor(chart.y, values('left'), plot.bottom, plot.top);
  const y2s = hasRight && chart.y2 ? scaleFor(chart.y2, values('right'), plot.bottom, plot.top) : undefined;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(chart.title)}</text>`,
  );
  if (chart.subtitle) out.push(`<text x="${width / 2}" y="38" text-anchor="middle" fill="#555555">${esc(chart.subtitle)}</text>`);

  // Grid and ticks: horizontal lines at the left axis' ticks, vertical ones at the x ticks.
  for (const t of ys.ticks) {
    const y = fmt(ys.at(t));
    out.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(formatTick(t))}</text>`);
  }
  for (const t of xs.ticks) {
    const x = fmt(xs.at(t));
    out.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${plot.bottom + 16}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  if (y2s) {
    for (const t of y2s.ticks) {
      out.push(`<text x="${plot.right + 6}" y="${fmt(y2s.at(t))}" dominant-baseline="middle">${esc(formatTick(t))}</text>`);
    }
    const mid = (plot.top + plot.bottom) / 2;
    out.push(`<text transform="translate(${width - 14} ${fmt(mid)}) rotate(90)" text-anchor="middle">${esc(chart.y2!.label)}</text>`);
  }
  out.push(
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#333333"/>`,
    `<text x="${fmt((plot.left + plot.right) / 2)}" y="${plot.bottom + 34}" text-anchor="middle">${esc(chart.x.label)}</text>`,
    `<text transform="translate(16 ${fmt((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(chart.y.label)}</text>`,
  );

  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const yScale = s.axis === 'right' && y2s ? y2s : ys;
    const d = pathData(s, xs.at, yScale.at);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (s.markers) {
      for (const [x, y] of s.points) {
        if (Number.isFinite(y)) out.push(`<circle cx="${fmt(xs.at(x))}" cy="${fmt(yScale.at(y))}" r="3.5" fill="${color}"/>`);
      }
    }
    // Legend: entries left to right under the x-axis label, wrapped to the plot's width.
    const lx = legend[i]!.x;
    const ly = plot.bottom + 52 + 18 * legend[i]!.row;
    out.push(`<line x1="${fmt(lx)}" y1="${ly}" x2="${fmt(lx + 24)}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${fmt(lx + 30)}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Average advance of a 12 px sans-serif character: enough to keep legend entries apart.
const CHAR_PX = 7;

/** Where each legend entry goes: its x and its row, entries wrapped within [left, right]. */
export function legendLayout(names: readonly string[], left: number, right: number): Array<{ x: number; row: number }> {
  const out: Array<{ x: number; row: number }> = [];
  let x = left;
  let row = 0;
  for (const name of names) {
    const w = 30 + name.length * CHAR_PX + 24; // line, gap, text, space before the next entry
    if (x > left && x + w - 24 > right) {
      row += 1;
      x = left;
    }
    out.push({ x, row });
    x += w;
  }
  return out;
}

interface Scale {
  ticks: number[];
  at(v: number): number;
}

// Maps the axis' domain onto [from, to] pixels (to < from for y: SVG's y grows downwards).
function scaleFor(axis: Axis, data: number[], from: number, to: number): Scale {
  if (axis.scale === 'log') {
    const positive = data.filter((v) => v > 0);
    const lo = axis.min ?? 10 ** Math.floor(Math.log10(positive.length ? Math.min(...positive) : 1));
    const hi = axis.max ?? 10 ** Math.ceil(Math.log10(positive.length ? Math.max(...positive) : 10));
    const top = hi > lo ? hi : lo * 10;
    const ticks = (axis.ticks ?? logTicks(lo, top)).filter((t) => t >= lo && t <= top);
    const span = Math.log10(top) - Math.log10(lo);
    return { ticks, at: (v) => from + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * (to - from) };
  }
  const lo = axis.min ?? Math.min(0, ...data);
  const dataMax = data.length ? Math.max(...data) : 1;
  const auto = niceTicks(lo, axis.max ?? (dataMax > lo ? dataMax : lo + 1));
  const hi = axis.max ?? auto[auto.length - 1]!;
  const ticks = (axis.ticks ?? auto).filter((t) => t >= lo && t <= hi);
  const span = hi - lo || 1;
  return { ticks, at: (v) => from + ((v - lo) / span) * (to - from) };
}

// "M x y L x y ..." with a new M after each gap (a non-finite y), steps as H/V segments.
function pathData(s: Series, x: (v: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let pen = false;
  for (const [px, py] of s.points) {
    if (!Number.isFinite(py) || !Number.isFinite(px)) {
      pen = false;
      continue;
    }
    const X = fmt(x(px));
    const Y = fmt(y(py));
    if (!pen) parts.push(`M${X} ${Y}`);
    else if (s.step) parts.push(`H${X} V${Y}`);
    else parts.push(`L${X} ${Y}`);
    pen = true;
  }
  return parts.join(' ');
}

function fmt(v: number): string {
  return String(Math.round(v * 10) / 10);
}

// Rounds away float noise (0.30000000000000004) to the step's precision.
function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 12)));
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
