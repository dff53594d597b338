import { clock, humanSize, shortMs } from './format.js';
import type { WorkerView } from './statsView.js';

/** A worker row with what mltop computes across frames. */
export interface WorkerRow extends WorkerView {
  /** Requests per second since the previous frame, null on the first frame. */
  rps: number | null;
  /** Share of all requests, percent. */
  share: number;
}

/** One column of the workers table, uwsgitop's in uwsgitop's order. */
export interface Column {
  title: string;
  width: number;
  /** Right-aligned (numbers) or left-aligned (status). */
  right: boolean;
  text(row: WorkerRow, utc: boolean): string;
  /** Sort value; absent for columns `s` does not cycle through. */
  sort?: (row: WorkerRow) => number | string;
  /** True when the natural order is ascending (ids, statuses); numbers sort largest first. */
  ascending?: boolean;
}

/** uwsgitop's RunT: ms, or minutes past 9999999 ms. */
function runTime(us: number): string {
  const ms = Math.floor(us / 1000);
  return ms > 9_999_999 ? `${Math.floor(ms / 60_000)}m` : String(ms);
}

// busy first, then idle, then the rest, as an operator scans for them.
const statusRank = (s: string): string => ({ busy: '0', idle: '1', starting: '2', pause: '3', failed: '4', cheap: '5' })[s] ?? `6${s}`;

/** ` WID % PID REQ RPS EXC SIG STATUS AVG RSS VSZ TX ReSpwn HC RunT LastSpwn`, as uwsgitop. */
export const columns: readonly Column[] = [
  { title: 'WID', width: 4, right: true, text: (r) => String(r.id), sort: (r) => r.id, ascending: true },
  { title: '%', width: 5, right: true, text: (r) => r.share.toFixed(1) },
  { title: 'PID', width: 7, right: true, text: (r) => String(r.pid) },
  { title: 'REQ', width: 8, right: true, text: (r) => String(r.requests), sort: (r) => r.requests },
  { title: 'RPS', width: 5, right: true, text: (r) => (r.rps === null ? '-' : String(Math.round(r.rps))), sort: (r) => r.rps ?? -1 },
  { title: 'EXC', width: 5, right: true, text: (r) => String(r.exceptions), sort: (r) => r.exceptions },
  { title: 'SIG', width: 4, right: true, text: (r) => String(r.signals) },
  { title: 'STATUS', width: 8, right: false, text: (r) => r.status, sort: (r) => statusRank(r.status), ascending: true },
  { title: 'AVG', width: 7, right: true, text: (r) => shortMs(r.avgRt / 1000), sort: (r) => r.avgRt },
  { title: 'RSS', width: 7, right: true, text: (r) => humanSize(r.rss), sort: (r) => r.rss },
  { title: 'VSZ', width: 7, right: true, text: (r) => humanSize(r.vsz) },
  { title: 'TX', width: 7, right: true, text: (r) => humanSize(r.tx), sort: (r) => r.tx },
  { title: 'ReSpwn', width: 7, right: true, text: (r) => String(r.respawnCount), sort: (r) => r.respawnCount },
  { title: 'HC', width: 4, right: true, text: (r) => String(r.harakiriCount) },
  { title: 'RunT', width: 9, right: true, text: (r) => runTime(r.runningTime), sort: (r) => r.runningTime },
  { title: 'LastSpwn', width: 9, right: true, text: (r, utc) => (r.lastSpawn ? clock(r.lastSpawn * 1000, utc) : '--:--:--'), sort: (r) => r.lastSpawn },
];

/** The titles `s` cycles through, in order; REQ first, uwsgitop's only order. */
export const sortKeys: readonly string[] = ['REQ', 'WID', 'RPS', 'STATUS', 'AVG', 'RSS', 'TX', 'EXC', 'ReSpwn', 'RunT', 'LastSpwn'];

/** Rows sorted by `key` in its natural order (reversed when `reverse`), ties by id. */
export function sortRows(rows: readonly WorkerRow[], key: string, reverse: boolean): WorkerRow[] {
  const col = columns.find((c) => c.title === key && c.sort) ?? columns.find((c) => c.title === 'REQ')!;
  const of = col.sort!;
  const dir = (col.ascending ? 1 : -1) * (reverse ? -1 : 1);
  return [...rows].sort((a, b) => {
    const x = of(a);
    const y = of(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * dir : a.id - b.id;
  });
}

/** One table line: a leading space, then each cell padded to its column. */
export function tableLine(cells: readonly string[]): string {
  return ' ' + cells.map((cell, i) => {
    const col = columns[i]!;
    return col.right ? cell.padStart(col.width) : cell.padEnd(col.width);
  }).join(' ');
}
