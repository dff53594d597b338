import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** How many CPUs this process may use, and which limit said so. */
export interface CpuCount {
  readonly count: number;
  /** e.g. `cgroup v2 cpu.max 150000 100000 (/sys/fs/cgroup/cpu.max)`, `os.availableParallelism()`. */
  readonly source: string;
}

/** Where {@link detectCpus} reads from; tests point `root` at a directory of fake cgroup files. */
export interface CpuProbe {
  /** Prefix of /proc and /sys; default `/`. */
  readonly root?: string;
  /** What the kernel's affinity mask allows; default os.availableParallelism(). */
  readonly availableParallelism?: number;
}

/**
 * The CPU count `workers = auto` uses: the smallest of the cgroup v2 `cpu.max` quota (of the
 * process's cgroup and each ancestor), the cgroup v1 `cpu.cfs_quota_us / cpu.cfs_period_us`,
 * the cgroup cpuset (v2 `cpuset.cpus.effective`, v1 `cpuset.effective_cpus`) and
 * os.availableParallelism(). A quota rounds up (500m -> 1, 1500m -> 2), as the kubelet's
 * `resourceFieldRef` does for `requests.cpu`.
 *
 * Why not os.cpus(): Node 20 ignores CFS quotas and Node 22 reads only cgroup v2 `cpu.max`
 * of its own cgroup, so in a pod limited to 2 CPUs on a 64-core node Node reports 64.
 *
 * @example
 * detectCpus() // { count: 2, source: 'cgroup v2 cpu.max 200000 100000 (/sys/fs/cgroup/cpu.max)' }
 */
export function detectCpus(probe: CpuProbe = {}): CpuCount {
  const root = probe.root ?? '/';
  const read = (path: string): string | null => {
    try {
      return readFileSync(join(root, path), 'utf8').trim();
    } catch {
      return null; // absent on this kernel or this cgroup version: not a limit
    }
  };
  return smallestCpuLimit(cgroupReadings(read), probe.availableParallelism ?? availableParallelism());
}

/** One limit file as read: its path and its text. */
export interface CpuReading {
  readonly kind: 'cpu.max' | 'cfs' | 'cpuset';
  readonly path: string;
  /** `cpu.max`: "max 100000" or "150000 100000"; cfs: "quota period"; cpuset: "0-3,8". */
  readonly text: string;
}

/**
 * The smallest CPU count among `readings` and `parallelism` (the last wins ties, so the named
 * cgroup limit is reported over the generic count). Unreadable or unlimited readings are
 * skipped. Pure.
 */
export function smallestCpuLimit(readings: readonly CpuReading[], parallelism: number): CpuCount {
  let best: CpuCount = { count: Math.max(1, parallelism), source: 'os.availableParallelism()' };
  for (const r of readings) {
    const count = cpusOf(r);
    if (count !== null && count <= best.count) best = { count, source: `${describeKind(r.kind)} ${r.text} (${r.path})` };
  }
  return best;
}

function describeKind(kind: CpuReading['kind']): string {
  switch (kind) {
    case 'cpu.max': return 'cgroup v2 cpu.max';
    case 'cfs': return 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us';
    case 'cpuset': return 'cgroup cpuset';
  }
}

function cpusOf(r: CpuReading): number | null {
  if (r.kind === 'cpuset') return cpusetSize(r.text);
  const [quota, period] = r.text.split(/\s+/).map(Number);
  // cpu.max "max 100000" and cfs_quota_us -1 mean no quota.
  if (quota === undefined || period === undefined || !Number.isFinite(quota) || !(quota > 0) || !(period > 0)) return null;
  return Math.max(1, Math.ceil(quota / period));
}

/** "0-3,8" -> 5; null for an empty or malformed list. */
export function cpusetSize(text: string): number | null {
  if (text === '') return null;
  let n = 0;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return null;
    n += hi - lo + 1;
  }
  return n;
}

/**
 * The limit files of this process's cgroups, read through `read` (relative to the probe root).
 * v2: the unified hierarchy's `0::/path` line; `cpu.max` of the cgroup and each ancestor up to
 * the mount (a parent's quota bounds its children). v1: the `cpu` and `cpuset` controllers'
 * lines. In a container the path in /proc/self/cgroup can be the host's while the mount shows
 * the container's own cgroup at its root, so a path that does not exist falls back to the root.
 */
function cgroupReadings(read: (path: string) => string | null): CpuReading[] {
  const table = read('proc/self/cgroup');
  if (table === null) return [];
  const out: CpuReading[] = [];
  for (const line of table.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const controllers = m[2]!.split(',');
    const path = m[3]!;
    if (m[1] === '0' && m[2] === '') {
      const base = 'sys/fs/cgroup';
      const dir = existing(read, base, path, 'cgroup.controllers');
      for (const level of ancestors(dir, base)) {
        const text = read(`${level}/cpu.max`);
        if (text !== null) out.push({ kind: 'cpu.max', path: `/${level}/cpu.max`, text });
      }
      const cpuset = read(`${dir}/cpuset.cpus.effective`);
      if (cpuset !== null) out.push({ kind: 'cpuset', path: `/${dir}/cpuset.cpus.effective`, text: cpuset });
      continue;
    }
    if (controllers.includes('cpu')) {
      for (const base of ['sys/fs/cgroup/cpu,cpuacct', 'sys/fs/cgroup/cpu']) {
        const dir = existing(read, base, path, 'cpu.cfs_period_us');
        const quota = read(`${dir}/cpu.cfs_quota_us`);
        const period = read(`${dir}/cpu.cfs_period_us`);
        if (quota === null || period === null) continue;
        out.push({ kind: 'cfs', path: `/${dir}/cpu.cfs_quota_us`, text: `${quota} ${period}` });
        break;
      }
    }
    if (controllers.includes('cpuset')) {
      const dir = existing(read, 'sys/fs/cgroup/cpuset', path, 'cpuset.cpus');
      const file = read(`${dir}/cpuset.effective_cpus`) !== null ? 'cpuset.effective_cpus' : 'cpuset.cpus';
      const text = read(`${dir}/${file}`);
      if (text !== null) out.push({ kind: 'cpuset', path: `/${dir}/${file}`, text });
    }
  }
  return out;
}

// `base/path` when its `marker` file is readable, else `base` (the namespaced root).
function existing(read: (path: string) => string | null, base: string, path: string, marker: string): string {
  const dir = `${base}${path === '/' ? '' : path}`;
  return read(`${dir}/${marker}`) !== null ? dir : base;
}

// `base/a/b` -> [`base/a/b`, `base/a`, `base`].
function ancestors(dir: string, base: string): string[] {
  const out = [dir];
  let d = dir;
  while (d.length > base.length) {
    d = d.slice(0, d.lastIndexOf('/'));
    out.push(d);
  }
  return out;
}
