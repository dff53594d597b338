import { columns, sortRows, tableLine, type WorkerRow } from './columns.js';
import { clock, ctime, cut, humanSize, shortMs, sparkline, uptime } from './format.js';
import { readStatsView, type MlserveView, type StatsView } from './statsView.js';

/** How a line is shown; the screen maps each to a colour. */
export type LineStyle = 'plain' | 'table-header' | 'busy' | 'cheap' | 'pause' | 'sig' | 'alert' | 'dim';

/** A document and when it was read (epoch ms): two of them give the RPS. */
export interface Sample {
  doc: unknown;
  at: number;
}

/** What the frame shows besides the document. */
export interface FrameOptions {
  /** Epoch ms at which `doc` was read. */
  at: number;
  /** The host name for the `node:` line. */
  host: string;
  /** The column title rows are sorted by (see sortKeys). */
  sort: string;
  reverse: boolean;
  /** Fast refresh (0.1 s) is on. */
  fast: boolean;
  /** The refresh interval when not fast, seconds. */
  frequency: number;
  /** Show the help instead of the table. */
  help: boolean;
  /** A status to show in the bottom line, e.g. "disconnected, retrying". */
  message?: string | null;
  /** Times in UTC instead of local time (tests). */
  utc?: boolean;
  /** The bottom line with the keys (false for `mltop --once`); a message is shown anyway. */
  keys?: boolean;
}

/** A frame: plain lines and, line for line, how to show each. */
export interface StyledFrame {
  lines: string[];
  styles: LineStyle[];
}

/**
 * Renders one mltop frame as plain text lines, at most `width` wide and `height` high: pure, so
 * it is tested without a terminal. `prev` is the previous sample of the same server (null on
 * the first frame, or after the server restarted), from which per-worker RPS is computed as
 * uwsgitop does. `doc` is null before the first successful read.
 *
 * @example
 * const lines = renderFrame(null, JSON.parse(text), { at: Date.now(), host: 'web1', sort: 'REQ', reverse: false, fast: false, frequency: 1, help: false }, 200, 50);
 */
export function renderFrame(prev: Sample | null, doc: unknown, opts: FrameOptions, width: number, height: number): string[] {
  return renderStyledFrame(prev, doc, opts, width, height).lines;
}

/** {@link renderFrame} with the style of each line, for the screen. */
export function renderStyledFrame(prev: Sample | null, doc: unknown, opts: FrameOptions, width: number, height: number): StyledFrame {
  const out: StyledFrame = { lines: [], styles: [] };
  const push = (line: string, style: LineStyle = 'plain'): void => {
    out.lines.push(line);
    out.styles.push(style);
  };
  if (doc === null || doc === undefined) {
    push(`mltop - ${ctime(opts.at, opts.utc)} - no stats yet`);
  } else {
    const view = readStatsView(doc);
    const rows = workerRows(view, prev, opts.at);
    header(view, rows, prev, opts, push);
    if (opts.help) help(push);
    else {
      table(rows, opts, push);
      for (const f of view.mlserve?.failed ?? []) push(` worker ${f.id} failed ${f.failures} times in a row, retrying: ${f.lastError}`, 'alert');
    }
  }
  return fit(out, footer(opts), width, height);
}

type Push = (line: string, style?: LineStyle) => void;

function workerRows(view: StatsView, prev: Sample | null, at: number): WorkerRow[] {
  const workers = view.workers ?? [];
  const total = workers.reduce((s, w) => s + w.requests, 0);
  const before = prev ? readStatsView(prev.doc) : null;
  const dt = prev ? (at - prev.at) / 1000 : 0;
  // A different master pid is another server: its counters are not comparable.
  const comparable = before !== null && dt > 0 && before.pid === view.pid;
  const last = new Map((comparable ? (before.workers ?? []) : []).map((w) => [w.key, w.requests]));
  return workers.map((w) => {
    const was = last.get(w.key);
    return {
      ...w,
      rps: comparable ? Math.max(0, w.requests - (was ?? 0)) / dt : null,
      share: total === 0 ? 0 : (100 * w.requests) / total,
    };
  });
}

function header(view: StatsView, rows: WorkerRow[], prev: Sample | null, opts: FrameOptions, push: Push): void {
  const version = view.version === null ? 'uwsgi' : /^mlserve/.test(view.version) ? view.version : `uwsgi-${view.version}`;
  const total = rows.reduce((s, r) => s + r.requests, 0);
  const tx = humanSize(rows.reduce((s, r) => s + r.tx, 0));
  let rps: string;
  if (rows.length > 0 && rows[0]!.rps !== null) rps = String(Math.round(rows.reduce((s, r) => s + (r.rps ?? 0), 0)));
  else if (prev === null && view.mlserve?.rpsHistory?.length) rps = String(view.mlserve.rpsHistory.at(-1));
  else rps = '-';
  push(`${version} - ${ctime(opts.at, opts.utc)} - req: ${total} - RPS: ${rps} - lq: ${view.listenQueue} - tx: ${tx}`);
  const parts = [`node: ${opts.host}`];
  if (view.cwd !== null) parts.push(`cwd: ${view.cwd}`);
  if (view.uid !== null) parts.push(`uid: ${view.uid}`);
  if (view.gid !== null) parts.push(`gid: ${view.gid}`);
  if (view.pid !== null) parts.push(`masterpid: ${view.pid}`);
  push(parts.join(' - '));
  if (view.mlserve) mlserveLines(view.mlserve, view, opts, push);
  else push(`queue: ${view.listenQueue} - refused: ${view.listenQueueErrors ?? 'n/a'} - latency: n/a (not an mlserve document)`, 'dim');
}

const ms = (v: number | null): string => (v === null ? 'n/a' : shortMs(v));

function mlserveLines(m: MlserveView, view: StatsView, opts: FrameOptions, push: Push): void {
  const model = m.model
    ? `model: ${m.model.name} v${m.model.version} - backend: ${m.model.backend}${m.model.engine && m.model.engine !== `tfjs-${m.model.backend}` ? ` (${m.model.engine})` : ''} - accuracy: ${m.model.accuracy ?? 'n/a'}`
    : 'model: n/a';
  push(m.uptime === null ? model : `${model} - up ${uptime(m.uptime)}`);
  if (m.cheaper) {
    const d = m.cheaper.lastDecision;
    const last = d ? `last: ${d.action} ${d.n} at ${clock(d.at * 1000, opts.utc)} (${d.reason})` : 'last: none yet';
    push(`cheaper: ${m.cheaper.algo} - ${last}`);
  } else {
    push('cheaper: off');
  }
  const q = m.queue ?? { length: view.listenQueue, max: 0, refused: view.listenQueueErrors ?? 0 };
  const lat = m.latency;
  const batch = m.batches
    ? ` - batch mean ${m.batches.windowMean ?? m.batches.meanSize ?? 'n/a'} max ${m.batches.windowMax || m.batches.maxSize}`
    : '';
  push(
    `latency p50 ${ms(lat?.p50 ?? null)} p90 ${ms(lat?.p90 ?? null)} p99 ${ms(lat?.p99 ?? null)} - ` +
      `queue: ${q.length}/${q.max} - refused: ${q.refused}${batch}`,
  );
  if (m.rpsHistory?.length) {
    const h = m.rpsHistory;
    push(`req/s  ${sparkline(h)} max ${Math.max(...h)} now ${h.at(-1)}`);
  }
  if (m.activeHistory?.length) {
    const h = m.activeHistory;
    push(`active ${sparkline(h, Math.max(1, ...h))} max ${Math.max(...h)} now ${h.at(-1)}`);
  }
}

const statusStyle = (status: string): LineStyle =>
  status === 'busy' ? 'busy' : status === 'cheap' ? 'cheap' : status === 'pause' ? 'pause' : status === 'failed' ? 'alert' : status.startsWith('sig') ? 'sig' : 'plain';

function table(rows: WorkerRow[], opts: FrameOptions, push: Push): void {
  const arrow = opts.reverse ? '↑' : '↓';
  push(tableLine(columns.map((c) => (c.title === opts.sort ? `${c.title}${arrow}` : c.title))), 'table-header');
  if (rows.length === 0) push(' (no workers in this document)', 'dim');
  for (const row of sortRows(rows, opts.sort, opts.reverse)) {
    push(tableLine(columns.map((c) => c.text(row, opts.utc ?? false))), statusStyle(row.status));
  }
}

/** The keys, as `h` shows them. */
export const helpLines: readonly string[] = [
  ' mltop keys',
  '  q  quit',
  '  f  fast refresh (0.1 s) on/off',
  '  s  sort by the next column: REQ WID RPS STATUS AVG RSS TX EXC ReSpwn RunT LastSpwn',
  '  r  reverse the sort order',
  '  h  this help on/off',
];

function help(push: Push): void {
  for (const line of helpLines) push(line);
}

function footer(opts: FrameOptions): { line: string; style: LineStyle } | null {
  if (opts.message) return { line: ` ${opts.message}`, style: 'alert' };
  if (opts.keys === false) return null;
  const refresh = opts.fast ? '0.1s' : `${opts.frequency}s`;
  return { line: ` q quit - f refresh ${refresh} - s sort ${opts.sort} - r reverse - h help`, style: 'dim' };
}

// Cut every line to the width; when too high, keep the top and always the footer (it carries
// "disconnected, retrying"): a small terminal truncates, it never throws.
function fit(frame: StyledFrame, foot: { line: string; style: LineStyle } | null, width: number, height: number): StyledFrame {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  if (h === 0) return { lines: [], styles: [] };
  const keep = Math.min(frame.lines.length, foot ? h - 1 : h);
  const lines = frame.lines.slice(0, keep);
  const styles = frame.styles.slice(0, keep);
  if (foot) {
    lines.push(foot.line);
    styles.push(foot.style);
  }
  return { lines: lines.map((l) => cut(l, w)), styles };
}
