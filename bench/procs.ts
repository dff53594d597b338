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

/** One process as /proc/PID/stat shows it. */
export interface ProcStat {
  /** The command name (15 characters at most, as the kernel keeps it). */
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime + cutime + cstime: CPU used by it and its reaped children, in clock ticks (1/100 s). */
  cpuTicks: number;
  /** cutime + cstime: the part of cpuTicks used by its reaped children. */
  childTicks: number;
}

/** Every process of the machine, by pid (a snapshot; processes come and go while it is read). */
export function procTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) table.set(Number(entry), stat);
  }
  return table;
}

/** The pids of `roots` and all their live descendants in `table`. */
export function descendants(table: ReadonlyMap<number, ProcStat>, roots: readonly number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, stat] of table) {
    if (stat.state === 'Z') continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree = new Set<number>();
  const queue = roots.filter((pid) => table.has(pid) && table.get(pid)!.state !== 'Z');
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Live (not zombie) processes whose arguments (argv, from /proc/PID/cmdline) `match`. */
export function findProcesses(match: (argv: string[]) => boolean): number[] {
  const found: number[] = [];
  for (const [pid, stat] of procTable()) {
    if (stat.state === 'Z') continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    } catch {
      continue; // exited meanwhile
    }
    if (match(argv)) found.push(pid);
  }
  return found;
}

/** `root` and all its live descendants. */
export function processTree(root: number): number[] {
  return [...descendants(procTable(), [root])];
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

/**
 * CPU used so far (utime + stime, clock ticks of 1/100 s) by process `pid`, all its threads, or
 * only its thread `tid` (the main thread's tid is the pid); 0 when it is gone.
 */
export function cpuTicks(pid: number, tid?: number): number {
  const stat = readStat(pid, tid);
  return stat ? stat.cpuTicks - stat.childTicks : 0;
}

function readStat(pid: number, tid?: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number): number => Number(fields[i] ?? 0);
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const childTicks = tick(13) + tick(14);
  return { comm, state: fields[0] ?? '?', ppid: Number(fields[1]), cpuTicks: tick(11) + tick(12) + childTicks, childTicks };
}
