import { readdirSync, readFileSync } from 'node:fs';

/** Memory of a process tree, from /proc (Linux). */
export interface TreeMemory {
  /** Processes counted (threads are not processes: mlserve's workers are inside its one). */
  processes: number;
  /** Sum of VmRSS: counts pages shared between forked processes once per process. */
  rssKiB: number;
  /** Sum of Pss: shared pages split between their sharers, so the sum is the tree's share. */
  pssKiB: number;
}

/** True while `pid` exists and is not a zombie (daemons reparented to a PID 1 that never reaps). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** `root` and all its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined || stat.state === 'Z') continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const queue = isAlive(root) ? [root] : [];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** RSS and PSS of `root` and its descendants; processes that vanish meanwhile count as 0. */
export function treeMemory(root: number): TreeMemory {
  const total: TreeMemory = { processes: 0, rssKiB: 0, pssKiB: 0 };
  for (const pid of processTree(root)) {
    let rollup: string;
    try {
      rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    } catch {
      continue; // exited between the scan and now
    }
    total.processes += 1;
    total.rssKiB += kib(rollup, 'Rss');
    total.pssKiB += kib(rollup, 'Pss');
  }
  return total;
}

function kib(rollup: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup);
  return match ? Number(match[1]) : 0;
}

function readStat(pid: number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
}
